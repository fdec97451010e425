import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Duplex } from "node:stream";
import type { HttpErrorCode } from "./contracts/codes";
import type { ErrorResponse } from "./contracts/protocol";
import type { Logger } from "./logger";

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams, url: URL) => void | Promise<void>;

export interface Route {
  method: "GET" | "POST";
  /** A path such as `/api/history/:symbol`; `:name` matches one segment. */
  path: string;
  handler: RouteHandler;
}

export type HealthReport = { ok: boolean } & Record<string, unknown>;

export interface HttpServerOptions {
  routes?: Route[];
  /** Body of `GET /healthz`; `ok: false` answers 503. */
  health: () => HealthReport | Promise<HealthReport>;
  registry: Registry;
  logger: Logger;
  /** Open connections accepted at once; Node closes any past it. */
  maxConnections?: number;
}

/**
 * Answers on a raw socket, before or instead of Node's HTTP response (a refused WebSocket
 * upgrade, a request Node's parser refused), with the one error shape, and closes it.
 */
export function endWithError(socket: Duplex, status: number, statusText: string, code: HttpErrorCode, message: string): void {
  const body: ErrorResponse = { error: { code, message } };
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Answers with the one error shape of every CryptoStream HTTP API. */
export function sendError(res: ServerResponse, status: number, code: HttpErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body: ErrorResponse = { error: { code, message } };
  sendJson(res, status, body, headers);
}

interface CompiledRoute extends Route {
  segments: string[];
}

function matchRoute(route: CompiledRoute, pathSegments: string[]): RouteParams | undefined {
  if (route.segments.length !== pathSegments.length) return undefined;
  const params: RouteParams = {};
  for (let i = 0; i < route.segments.length; i++) {
    const expected = route.segments[i]!;
    const actual = pathSegments[i]!;
    if (expected.startsWith(":")) {
      // Not valid percent-encoding (`%FF`): the handler gets it as sent, and judges it as any bad value.
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        params[expected.slice(1)] = actual;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/** An HTTP server with the given routes plus `/healthz` and `/metrics`. */
export function createHttpServer({ routes = [], health, registry, logger, maxConnections }: HttpServerOptions): Server {
  const builtIn: Route[] = [
    {
      method: "GET",
      path: "/healthz",
      handler: async (_req, res) => {
        const body = await health();
        sendJson(res, body.ok ? 200 : 503, body);
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handler: async (_req, res) => {
        const text = await registry.metrics();
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(text);
      },
    },
  ];
  const all: CompiledRoute[] = [...builtIn, ...routes].map((route) => ({
    ...route,
    segments: route.path.split("/").filter(Boolean),
  }));

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const segments = url.pathname.split("/").filter(Boolean);
    let pathMatched = false;
    for (const route of all) {
      const params = matchRoute(route, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method && !(route.method === "GET" && req.method === "HEAD")) continue;
      try {
        await route.handler(req, res, params, url);
      } catch (error) {
        logger.error({ err: error, path: url.pathname }, "request failed");
        if (!res.headersSent) sendError(res, 500, "internal_error", "the server failed to answer this request");
        else res.destroy();
      }
      return;
    }
    if (pathMatched) sendError(res, 405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
    else sendError(res, 404, "not_found", `no such endpoint: ${url.pathname}`);
  });
  if (maxConnections !== undefined) server.maxConnections = maxConnections;
  // Requests Node's parser refuses (headers over 16 KiB, malformed HTTP) get the same JSON errors.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    if (error.code === "HPE_HEADER_OVERFLOW")
      endWithError(socket, 431, "Request Header Fields Too Large", "headers_too_large", "request headers are over 16 KiB");
    else endWithError(socket, 400, "Bad Request", "bad_request", "the request is not valid HTTP");
  });
  return server;
}

/** Listens and resolves with the bound port (useful with port 0). */
export function listen(server: Server, port: number, host = "0.0.0.0"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
