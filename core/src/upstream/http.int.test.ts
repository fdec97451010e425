import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@cryptostream/testing";
import { type UpstreamRequestError, upstreamGet, upstreamGetJson } from "./http";

/** A venue that answers each path as the test names it. */
function venue(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/ok") return res.writeHead(200, { "x-mbx-used-weight-1m": "42" }).end(JSON.stringify({ q: url.searchParams.get("q") }));
    if (url.pathname === "/limited") return res.writeHead(429, { "retry-after": "3" }).end('{"code":-1003}');
    if (url.pathname === "/banned") return res.writeHead(418).end();
    if (url.pathname === "/missing") return res.writeHead(404).end('{"code":-1121,"msg":"Invalid symbol."}');
    if (url.pathname === "/broken") return res.writeHead(503).end("upstream down");
    if (url.pathname === "/html") return res.writeHead(200).end("<html>");
    return undefined; // /silent never answers.
  });
}

describe("upstreamGet", () => {
  const server = venue();
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as UpstreamRequestError,
    );

  it("gives the body of a 2xx, with its query, and shows its headers", async () => {
    const seen: string[] = [];
    const body = await upstreamGetJson(`${base}/ok`, {
      timeoutMs: 2_000,
      searchParams: { q: "btc" },
      onHeaders: (h) => seen.push(String(h["x-mbx-used-weight-1m"])),
    });
    expect(body).toEqual({ q: "btc" });
    expect(seen).toEqual(["42"]);
  });

  it("names each failure by its code: a 429 and Binance's 418 with what Retry-After asks, 4xx and 5xx with the venue's body", async () => {
    const limited = await failure(upstreamGet(`${base}/limited`, { timeoutMs: 2_000 }));
    expect(limited).toMatchObject({ name: "UpstreamRequestError", code: "http_429", retryAfterMs: 3_000, body: { code: -1003 } });
    expect(await failure(upstreamGet(`${base}/banned`, { timeoutMs: 2_000 }))).toMatchObject({ code: "http_429", retryAfterMs: undefined });
    const missing = await failure(upstreamGet(`${base}/missing`, { timeoutMs: 2_000 }));
    expect(missing).toMatchObject({ code: "http_4xx", body: { msg: "Invalid symbol." } });
    expect(missing?.message).toContain("HTTP 404");
    expect(await failure(upstreamGet(`${base}/broken`, { timeoutMs: 2_000 }))).toMatchObject({ code: "http_5xx" });
  });

  it("calls a body that is not JSON, a request that takes too long and a venue that is not there what they are", async () => {
    const html = await failure(upstreamGetJson(`${base}/html`, { timeoutMs: 2_000 }));
    expect(html).toMatchObject({ code: "http_4xx" });
    expect(html?.message).toContain("not JSON");
    expect(await failure(upstreamGet(`${base}/silent`, { timeoutMs: 200 }))).toMatchObject({ code: "timeout" });
    const gone = `http://127.0.0.1:${await freePort()}`;
    expect(await failure(upstreamGet(`${gone}/ok`, { timeoutMs: 2_000 }))).toMatchObject({ code: "network" });
  });
});
