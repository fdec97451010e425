import { sendError, type Candle, type CandleInterval, type Clock, type Route } from "@cryptostream/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CandleStore } from "../candles/candle-store";
import { parseCandlesQuery } from "./candles-query";
import { checkPathSymbol } from "./ticks-query";
import { CompressedBodies } from "./compressed-bodies";

export interface CandlesRouteDeps {
  store: CandleStore;
  /** The candle forming now, from the writer's fold. */
  forming: (interval: CandleInterval, symbol: string) => Candle | undefined;
  /** Whether a symbol is tracked at all (it may have no candle yet). */
  known: (symbol: string) => boolean;
  clock: Clock;
  onBadRequest?: (parameter: string) => void;
}

/** Encoded closed candles kept for repeated queries; the body of a 7-day 1m chart is about 1.5 MB. */
const ENCODED_KEPT = 64;

/**
 * `GET /api/candles/:symbol?interval=&since=&until=&limit=`: closed candles from memory, oldest
 * first, and the one forming. The closed part of a body is encoded once per change of its series
 * and window, not once per request; the ETag names the series' version and the forming candle. A
 * client that takes gzip gets the body compressed once per change (see {@link CompressedBodies}).
 */
export function candlesRoute({ store, forming, known, clock, onBadRequest }: CandlesRouteDeps): Route {
  const compressed = new CompressedBodies(ENCODED_KEPT);
  const encoded = new Map<string, Buffer>();
  const encodeClosed = (key: string, candles: () => readonly Candle[]) => {
    let body = encoded.get(key);
    if (body) return body;
    body = Buffer.from(JSON.stringify(candles()));
    if (encoded.size >= ENCODED_KEPT) encoded.delete(encoded.keys().next().value!);
    encoded.set(key, body);
    return body;
  };
  return {
    method: "GET",
    path: "/api/candles/:symbol",
    handler: async (req, res, params, url) => {
      const symbol = params.symbol ?? "";
      const badSymbol = checkPathSymbol(symbol);
      if (badSymbol) {
        onBadRequest?.(badSymbol.parameter);
        return sendError(res, 400, badSymbol.code, badSymbol.message);
      }
      const query = parseCandlesQuery(url.searchParams, clock.now());
      if (!query.ok) {
        onBadRequest?.(query.parameter);
        return sendError(res, 400, query.code, query.message);
      }
      if (!known(symbol)) return sendError(res, 404, "unknown_symbol", `no ticks or candles kept for "${symbol}"`);
      const { interval, sinceMs, untilMs, limit } = query;
      const range = store.window(interval, symbol, sinceMs, untilMs, limit);
      const window = `${interval}|${symbol}|${range.version}|${range.first}|${range.count}`;
      const current = forming(interval, symbol);
      const live = current && current.openTime <= untilMs && range.count < limit ? current : null;
      const etag = `"${window.replaceAll("|", "-")}-${live?.lastSeq ?? 0}"`;
      const parts = () => [
        Buffer.from(`{"symbol":"${symbol}","interval":"${interval}","candles":`),
        encodeClosed(window, range.slice),
        Buffer.from(`,"forming":${JSON.stringify(live)}}`),
      ];
      if (!/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) return sendCached(req, res, etag, parts());
      const made = await compressed.get(`${interval}|${symbol}|${url.search}`, etag, parts);
      sendCached(req, res, made.etag, [made.body], { "content-encoding": "gzip" });
    },
  };
}

/** Answers `304` when the client has this `etag`, else the body's parts with it. */
export function sendCached(req: IncomingMessage, res: ServerResponse, etag: string, parts: readonly Buffer[], headers: Record<string, string> = {}): void {
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag, vary: "accept-encoding" }).end();
    return;
  }
  const length = parts.reduce((total, part) => total + part.length, 0);
  const common = { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache", vary: "accept-encoding" };
  res.writeHead(200, { ...common, "content-length": length, etag, ...headers });
  for (const part of parts.slice(0, -1)) res.write(part);
  res.end(parts.at(-1));
}
