import { KrakenSubscribeAckSchema, KrakenTickerMessageSchema, KrakenTickerSchema, type Tick } from "@cryptostream/core";
import { describeIssues, isRecord, parseJson, type UpstreamResult } from "./upstream-result";

export const KRAKEN_SOURCE = "kraken";

/**
 * Parses one message of Kraken's WebSocket v2: each entry of a `ticker` snapshot or update
 * becomes a tick; heartbeats, status and acks are control, a refused subscription says why.
 * `symbolOfPair` maps a pair (`BTC/USD`) to a tracked symbol. A ticker without its `timestamp`
 * is timed by `receivedAt`, when the message arrived.
 */
export function parseKrakenMessage(text: string, symbolOfPair: ReadonlyMap<string, string>, receivedAt: number): UpstreamResult[] {
  const parsed = parseJson(text);
  if (!parsed.ok) return [parsed.result];
  const message = parsed.value;
  if (!isRecord(message)) return [{ kind: "rejected", reason: "unknown_format", message: "not a Kraken v2 message" }];
  if (message.method !== undefined) {
    const ack = KrakenSubscribeAckSchema.safeParse(message);
    if (ack.success && !ack.data.success) return [{ kind: "subscribe_failed", message: `${ack.data.symbol ?? "?"}: ${ack.data.error ?? "refused"}` }];
    return [{ kind: "control", message }];
  }
  if (message.channel !== "ticker") {
    if (typeof message.channel === "string") return [{ kind: "control", message }];
    return [{ kind: "rejected", reason: "unknown_format", message: "not a Kraken v2 message" }];
  }
  const tickers = KrakenTickerMessageSchema.safeParse(message);
  if (!tickers.success) return [{ kind: "rejected", reason: "invalid_event", message: `bad ticker message: ${describeIssues(tickers.error)}` }];
  return tickers.data.data.map((entry): UpstreamResult => {
    const ticker = KrakenTickerSchema.safeParse(entry);
    if (!ticker.success) return { kind: "rejected", reason: "invalid_event", message: `bad ticker: ${describeIssues(ticker.error)}` };
    const { symbol: pair, last, volume, vwap, change_pct: change, timestamp } = ticker.data;
    const symbol = symbolOfPair.get(pair);
    if (!symbol) return { kind: "rejected", reason: "unknown_symbol", message: `untracked pair ${pair}` };
    const tick: Tick = {
      symbol,
      price: last,
      ts: timestamp === undefined ? receivedAt : Date.parse(timestamp),
      source: KRAKEN_SOURCE,
      change24h: change,
      volume24h: volume * vwap,
    };
    return { kind: "tick", tick };
  });
}
