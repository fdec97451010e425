import { BinanceCombinedSchema, BinanceMiniTickerSchema, type Tick } from "@cryptostream/core";
import { describeIssues, isRecord, parseJson, type UpstreamResult } from "./upstream-result";

export const BINANCE_SOURCE = "binance";

/**
 * Parses one text frame of a Binance combined stream. `symbolOfPair` maps an
 * uppercase pair (`BTCUSDT`) to a tracked symbol.
 */
export function parseBinanceFrame(text: string, symbolOfPair: ReadonlyMap<string, string>): UpstreamResult {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed.result;
  const message = parsed.value;
  if (isRecord(message) && message.e === "serverShutdown") return { kind: "shutdown" };
  if (isRecord(message) && "id" in message && ("result" in message || "error" in message)) {
    return { kind: "control", message };
  }
  const combined = BinanceCombinedSchema.safeParse(message);
  if (!combined.success) {
    return { kind: "rejected", reason: "unknown_format", message: "not a combined-stream message" };
  }
  const event = BinanceMiniTickerSchema.safeParse(combined.data.data);
  if (!event.success) {
    return { kind: "rejected", reason: "invalid_event", message: `bad mini ticker: ${describeIssues(event.error)}` };
  }
  const { s, E, c, o, q } = event.data;
  const symbol = symbolOfPair.get(s);
  if (!symbol) return { kind: "rejected", reason: "unknown_symbol", message: `untracked pair ${s}` };
  const price = Number(c);
  const open = Number(o);
  const tick: Tick = { symbol, price, ts: E, source: BINANCE_SOURCE, volume24h: Number(q) };
  if (open > 0) tick.change24h = ((price - open) / open) * 100;
  return { kind: "tick", tick };
}
