import { CoinbaseEnvelopeSchema, CoinbaseTickerEventSchema, CoinbaseTickerSchema, type Tick } from "@cryptostream/core";
import { describeIssues, isRecord, parseJson, type UpstreamResult } from "./upstream-result";

export const COINBASE_SOURCE = "coinbase";

export interface CoinbaseMessage {
  results: UpstreamResult[];
  /** The message's place in the connection's sequence, when it had one. */
  sequence?: number;
}

/**
 * Parses one message of Coinbase's Advanced Trade WebSocket: each ticker of a `ticker` event
 * becomes a tick (time from the message's `timestamp`); heartbeats and subscription acks are
 * control. `symbolOfProduct` maps a product (`BTC-USD`) to a tracked symbol.
 */
export function parseCoinbaseMessage(text: string, symbolOfProduct: ReadonlyMap<string, string>): CoinbaseMessage {
  const parsed = parseJson(text);
  if (!parsed.ok) return { results: [parsed.result] };
  const message = parsed.value;
  if (isRecord(message) && message.type === "error") {
    return { results: [{ kind: "subscribe_failed", message: String(message.message ?? "error") }] };
  }
  const envelope = CoinbaseEnvelopeSchema.safeParse(message);
  if (!envelope.success) return { results: [{ kind: "rejected", reason: "unknown_format", message: "not an Advanced Trade message" }] };
  const { channel, timestamp, sequence_num: sequence, events } = envelope.data;
  if (channel !== "ticker") return { results: [{ kind: "control", message: envelope.data }], sequence };
  const ts = Date.parse(timestamp);
  return { results: events.flatMap((event) => tickerEvent(event, ts, symbolOfProduct)), sequence };
}

function tickerEvent(event: unknown, ts: number, symbolOfProduct: ReadonlyMap<string, string>): UpstreamResult[] {
  const parsed = CoinbaseTickerEventSchema.safeParse(event);
  if (!parsed.success) return [{ kind: "rejected", reason: "invalid_event", message: `bad ticker event: ${describeIssues(parsed.error)}` }];
  return parsed.data.tickers.map((entry): UpstreamResult => {
    const ticker = CoinbaseTickerSchema.safeParse(entry);
    if (!ticker.success) return { kind: "rejected", reason: "invalid_event", message: `bad ticker: ${describeIssues(ticker.error)}` };
    const { product_id: product, price, volume_24_h: volume, price_percent_chg_24_h: change } = ticker.data;
    const symbol = symbolOfProduct.get(product);
    if (!symbol) return { kind: "rejected", reason: "unknown_symbol", message: `untracked product ${product}` };
    const tick: Tick = { symbol, price: Number(price), ts, source: COINBASE_SOURCE, change24h: Number(change), volume24h: Number(volume) * Number(price) };
    return { kind: "tick", tick };
  });
}
