import { z } from "zod";

/** Coinbase prices and sizes are decimal strings. */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal string");

/** One product's ticker in a `ticker` event of the Advanced Trade WebSocket. */
export const CoinbaseTickerSchema = z.object({
  type: z.literal("ticker"),
  // Spot products are BASE-QUOTE; others (`BTC-PERP-INTX`) have more parts: well formed, and not followed.
  product_id: z.string().regex(/^[A-Z0-9]+(-[A-Z0-9]+)+$/),
  price: decimal,
  volume_24_h: decimal,
  low_24_h: decimal,
  high_24_h: decimal,
  price_percent_chg_24_h: decimal,
  best_bid: decimal.optional(),
  best_ask: decimal.optional(),
});
export type CoinbaseTicker = z.infer<typeof CoinbaseTickerSchema>;

/** Every Advanced Trade message: the channel, when it was sent, its place in the connection's sequence, and its events. */
export const CoinbaseEnvelopeSchema = z.object({
  channel: z.string(),
  client_id: z.string().optional(),
  timestamp: z.string().refine((text) => Number.isFinite(Date.parse(text)), "must be an RFC 3339 time"),
  sequence_num: z.number().int().nonnegative(),
  events: z.array(z.unknown()),
});
export type CoinbaseEnvelope = z.infer<typeof CoinbaseEnvelopeSchema>;

export const CoinbaseTickerEventSchema = z.object({
  type: z.enum(["snapshot", "update"]),
  tickers: z.array(z.unknown()),
});

/** A subscription request: one channel per message, as Coinbase requires. */
export function coinbaseSubscribe(channel: "ticker" | "heartbeats", productIds: readonly string[]): string {
  return JSON.stringify({ type: "subscribe", product_ids: productIds, channel });
}
