import { createHash } from "node:crypto";
import {
  isWindowReadsBusy,
  requestClientAddress,
  visitTickWindow,
  sendError,
  type HistoryResponse,
  type NatsConnection,
  type Route,
  type SymbolsResponse,
  type TickRejectReason,
  type Clock,
  type TrustedProxies,
  type WindowBusyReason,
  type WindowReadSlots,
} from "@cryptostream/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AssetsCache } from "./assets-cache";
import type { RecentTicks } from "../price-history/recent-ticks";
import type { CandleStore } from "../candles/candle-store";
import { candlesRoute, sendCached, type CandlesRouteDeps } from "./candles-route";
import { priceChanges } from "../candles/price-changes";
import { tickStreamWriter } from "./ticks-stream";
import { checkPathSymbol, parseWindowQuery } from "./ticks-query";

export interface TickWindowReads {
  /** The connection windows are read on: apart from the writer's, so no read can take that down. */
  nc: NatsConnection;
  slots: WindowReadSlots;
  trustedProxies: TrustedProxies;
  /** A client that takes nothing for this long is cut off. */
  sendTimeoutMs: number;
  /** The send timeout goes by it; the system clock by default. */
  clock?: Clock;
  onBusy?: (reason: WindowBusyReason) => void;
}

export interface HistoryRoutesDeps {
  recent: RecentTicks;
  assets: AssetsCache;
  candles: CandleStore;
  forming: CandlesRouteDeps["forming"];
  reads: TickWindowReads;
  clock: Clock;
  onBadRequest?: (parameter: string) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

/** `GET /api/history/:symbol`, `/api/candles/:symbol` and `/api/symbols` from memory; `GET /api/ticks` from `PRICES`. */
export function historyRoutes({ recent, assets, candles, forming, reads, clock, onBadRequest, onReject }: HistoryRoutesDeps): Route[] {
  const known = (symbol: string) => recent.ticks(symbol) !== undefined || candles.has(symbol);
  return [
    historyRoute(recent, onBadRequest),
    candlesRoute({ store: candles, forming, known, clock, onBadRequest }),
    symbolsRoute(recent, assets, candles, clock),
    ticksRoute(reads, clock, onBadRequest, onReject),
  ];
}

/** `GET /api/history/:symbol`: each symbol's body encoded once per new tick, not once per request, with an ETag. */
function historyRoute(recent: RecentTicks, onBadRequest: HistoryRoutesDeps["onBadRequest"]): Route {
  const encoded = new Map<string, { seq: number; etag: string; body: Buffer }>();
  const encodedHistory = (symbol: string) => {
    const seq = recent.lastSeq(symbol);
    const cached = encoded.get(symbol);
    if (cached?.seq === seq) return cached;
    const history: HistoryResponse = { symbol, ticks: [...(recent.ticks(symbol) ?? [])] };
    const fresh = { seq, etag: `"${symbol}-${seq}"`, body: Buffer.from(JSON.stringify(history)) };
    encoded.set(symbol, fresh);
    return fresh;
  };
  return {
    method: "GET",
    path: "/api/history/:symbol",
    handler: (req, res, params) => {
      const symbol = params.symbol ?? "";
      const badSymbol = checkPathSymbol(symbol);
      if (badSymbol) {
        onBadRequest?.(badSymbol.parameter);
        return sendError(res, 400, badSymbol.code, badSymbol.message);
      }
      if (!recent.ticks(symbol)) return sendError(res, 404, "unknown_symbol", `no ticks kept for "${symbol}"`);
      const { etag, body } = encodedHistory(symbol);
      sendCached(req, res, etag, [body]);
    },
  };
}

/**
 * How old a `GET /api/symbols` answer may be. Its cost grows with the symbols (each one's changes
 * are looked up in its candles: some 2.7 ms for 1,000 symbols), so it is built at most once a
 * second and sent as it is to every request meanwhile; live prices come over the WebSocket.
 */
export const SYMBOLS_MAX_AGE_MS = 1_000;

/** `GET /api/symbols`: the latest tick of each symbol, with its coin's metadata once known, and its changes. */
function symbolsRoute(recent: RecentTicks, assets: AssetsCache, candles: CandleStore, clock: Clock): Route {
  let built: { at: number; etag: string; body: Buffer } | undefined;
  const build = () => {
    const latest = recent.latest().sort((a, b) => a.symbol.localeCompare(b.symbol));
    const answer: SymbolsResponse = {
      symbols: latest.map((tick) => {
        const asset = assets.get(tick.symbol);
        const changes = priceChanges(tick, candles);
        return { symbol: tick.symbol, latest: tick, ...(asset && { asset }), changes };
      }),
    };
    const body = Buffer.from(JSON.stringify(answer));
    return { at: clock.now(), etag: `"${createHash("sha1").update(body).digest("base64url")}"`, body };
  };
  return {
    method: "GET",
    path: "/api/symbols",
    handler: (req, res) => {
      if (!built || clock.now() - built.at >= SYMBOLS_MAX_AGE_MS) built = build();
      sendCached(req, res, built.etag, [built.body]);
    },
  };
}

/** `GET /api/ticks`: a window of `PRICES`, in a slot of the instance's window reads, streamed at the client's pace. */
function ticksRoute(reads: TickWindowReads, clock: Clock, onBadRequest: HistoryRoutesDeps["onBadRequest"], onReject: HistoryRoutesDeps["onReject"]): Route {
  return {
    method: "GET",
    path: "/api/ticks",
    handler: async (req, res, _params, url) => {
      const query = parseWindowQuery(url.searchParams, clock.now());
      if (!query.ok) {
        onBadRequest?.(query.parameter);
        return sendError(res, 400, query.code, query.message);
      }
      const release = await windowReadSlot(req, res, reads);
      if (!release) return;
      try {
        const accept = req.headers.accept ?? "";
        const asArray = accept.includes("application/json") && !accept.includes("ndjson");
        const writer = tickStreamWriter(res, asArray, reads.sendTimeoutMs, reads.clock);
        await visitTickWindow(reads.nc, query.window, { onTick: writer.write, onReject, stopped: () => writer.gone });
        writer.end();
      } finally {
        release();
      }
    },
  };
}

/**
 * Waits for a slot among the instance's window reads, for this client's address. Full:
 * `429` with `Retry-After`. Undefined when refused, or when the client left while waiting.
 */
async function windowReadSlot(req: IncomingMessage, res: ServerResponse, reads: TickWindowReads): Promise<(() => void) | undefined> {
  const client = requestClientAddress(req, reads.trustedProxies);
  const left = new AbortController();
  const onClose = () => left.abort();
  res.once("close", onClose);
  try {
    return await reads.slots.acquire(client, left.signal);
  } catch (error) {
    if (!isWindowReadsBusy(error)) return undefined;
    reads.onBusy?.(error.code);
    sendError(res, 429, "busy", `${error.message}; try again later`, { "retry-after": "1" });
    return undefined;
  } finally {
    res.off("close", onClose);
  }
}
