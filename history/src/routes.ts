import {
  isValidSymbol,
  visitTickWindow,
  sendError,
  sendJson,
  type HistoryResponse,
  type NatsConnection,
  type Route,
  type SymbolsResponse,
  type TickRejectReason,
} from "@cryptostream/core";
import type { AssetsCache } from "./assets-cache";
import type { HistoryWindow } from "./history-window";
import { tickStreamWriter } from "./ticks-stream";
import { parseWindowQuery } from "./window-query";

export interface HistoryRoutesDeps {
  window: HistoryWindow;
  assets: AssetsCache;
  nc: NatsConnection;
  now?: () => number;
  onBadRequest?: (parameter: string) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

/** `GET /api/history/:symbol` and `GET /api/symbols` from memory; `GET /api/ticks` from `PRICES`. */
export function historyRoutes({ window, assets, nc, now = Date.now, onBadRequest, onReject }: HistoryRoutesDeps): Route[] {
  // Each symbol's body is encoded once per new tick, not once per request.
  const encoded = new Map<string, { seq: number; etag: string; body: Buffer }>();
  const encodedHistory = (symbol: string) => {
    const seq = window.lastSeq(symbol);
    const cached = encoded.get(symbol);
    if (cached?.seq === seq) return cached;
    const history: HistoryResponse = { symbol, ticks: [...(window.ticks(symbol) ?? [])] };
    const fresh = { seq, etag: `"${symbol}-${seq}"`, body: Buffer.from(JSON.stringify(history)) };
    encoded.set(symbol, fresh);
    return fresh;
  };
  return [
    {
      method: "GET",
      path: "/api/history/:symbol",
      handler: (req, res, params) => {
        const symbol = params.symbol ?? "";
        if (!isValidSymbol(symbol)) {
          onBadRequest?.("symbol");
          return sendError(res, 400, "invalid_symbol", `"${symbol}" is not a symbol: expected 1-20 lowercase letters or digits`);
        }
        if (!window.ticks(symbol)) return sendError(res, 404, "unknown_symbol", `no ticks kept for "${symbol}"`);
        const { etag, body } = encodedHistory(symbol);
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, { etag }).end();
          return;
        }
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "content-length": body.length,
          "cache-control": "no-cache",
          etag,
        });
        res.end(body);
      },
    },
    {
      method: "GET",
      path: "/api/symbols",
      handler: (_req, res) => {
        const body: SymbolsResponse = {
          symbols: window
            .latest()
            .sort((a, b) => a.symbol.localeCompare(b.symbol))
            .map((latest) => {
              const asset = assets.get(latest.symbol);
              return asset ? { symbol: latest.symbol, latest, asset } : { symbol: latest.symbol, latest };
            }),
        };
        sendJson(res, 200, body);
      },
    },
    {
      method: "GET",
      path: "/api/ticks",
      handler: async (req, res, _params, url) => {
        const query = parseWindowQuery(url.searchParams, now());
        if (!query.ok) {
          onBadRequest?.(query.parameter);
          return sendError(res, 400, `invalid_${query.parameter}`, query.message);
        }
        const accept = req.headers.accept ?? "";
        const asArray = accept.includes("application/json") && !accept.includes("ndjson");
        const writer = tickStreamWriter(res, asArray);
        await visitTickWindow(nc, query.window, { onTick: writer.write, onReject, stopped: () => writer.gone });
        writer.end();
      },
    },
  ];
}
