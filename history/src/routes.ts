import {
  isValidSymbol,
  sendError,
  sendJson,
  type HistoryResponse,
  type Route,
  type SymbolsResponse,
} from "@cryptostream/core";
import type { HistoryWindow } from "./history-window";

/** `GET /api/history/:symbol` and `GET /api/symbols`, answered from memory. */
export function historyRoutes(window: HistoryWindow): Route[] {
  return [
    {
      method: "GET",
      path: "/api/history/:symbol",
      handler: (req, res, params) => {
        const symbol = params.symbol ?? "";
        if (!isValidSymbol(symbol)) {
          return sendError(res, 400, "invalid_symbol", `"${symbol}" is not a symbol: expected 1-20 lowercase letters or digits`);
        }
        const ticks = window.ticks(symbol);
        if (!ticks) return sendError(res, 404, "unknown_symbol", `no ticks kept for "${symbol}"`);
        const etag = `"${symbol}-${window.lastSeq(symbol)}"`;
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, { etag }).end();
          return;
        }
        const body: HistoryResponse = { symbol, ticks: [...ticks] };
        return sendJson(res, 200, body, { etag, "cache-control": "no-cache" });
      },
    },
    {
      method: "GET",
      path: "/api/symbols",
      handler: (_req, res) => {
        const body: SymbolsResponse = {
          symbols: window.latest().map((latest) => ({ symbol: latest.symbol, latest })).sort((a, b) => a.symbol.localeCompare(b.symbol)),
        };
        sendJson(res, 200, body);
      },
    },
  ];
}
