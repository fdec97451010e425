import { z } from "zod";

/** One pair's ticker in a v2 `ticker` message (snapshot or update): numbers, not strings. */
export const KrakenTickerSchema = z.object({
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/),
  bid: z.number().finite(),
  ask: z.number().finite(),
  last: z.number().finite(),
  volume: z.number().finite().nonnegative(),
  vwap: z.number().finite(),
  low: z.number().finite(),
  high: z.number().finite(),
  change: z.number().finite(),
  change_pct: z.number().finite(),
  /** Documented, but absent from older v2 messages and from some pairs' snapshots seen live: optional, the receive time stands in. */
  timestamp: z
    .string()
    .refine((text) => Number.isFinite(Date.parse(text)), "must be an RFC 3339 time")
    .optional(),
});
export type KrakenTicker = z.infer<typeof KrakenTickerSchema>;

export const KrakenTickerMessageSchema = z.object({
  channel: z.literal("ticker"),
  type: z.enum(["snapshot", "update"]),
  data: z.array(z.unknown()),
});

/** The answer to a `subscribe` request, one per pair. */
export const KrakenSubscribeAckSchema = z.object({
  method: z.literal("subscribe"),
  success: z.boolean(),
  error: z.string().optional(),
  symbol: z.string().optional(),
  result: z.object({ channel: z.string(), symbol: z.string().optional() }).optional(),
});

/** A subscription request for the ticker of `pairs` (`BTC/USD`). */
export function krakenSubscribe(pairs: readonly string[], reqId?: number): string {
  return JSON.stringify({ method: "subscribe", params: { channel: "ticker", symbol: pairs }, ...(reqId !== undefined && { req_id: reqId }) });
}
