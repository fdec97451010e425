import { z } from "zod";

/** Binance prices and volumes are decimal strings. */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal string");

/** A 24hr mini ticker event (`<pair>@miniTicker`), as Binance documents it. */
export const BinanceMiniTickerSchema = z.object({
  e: z.literal("24hrMiniTicker"),
  E: z.number().int().positive(),
  s: z.string().regex(/^[A-Z0-9]+$/),
  c: decimal,
  o: decimal,
  h: decimal,
  l: decimal,
  v: decimal,
  q: decimal,
});
export type BinanceMiniTicker = z.infer<typeof BinanceMiniTickerSchema>;

/** One message of a combined stream: `/stream?streams=a/b`. */
export const BinanceCombinedSchema = z.object({
  stream: z.string(),
  data: z.unknown(),
});
export type BinanceCombined<T = BinanceMiniTicker> = { stream: string; data: T };

export function miniTickerStream(pair: string): string {
  return `${pair.toLowerCase()}@miniTicker`;
}

/** Path and query of a combined stream of mini tickers. */
export function combinedStreamPath(pairs: readonly string[]): string {
  return `/stream?streams=${pairs.map(miniTickerStream).join("/")}`;
}

/** One kline of `GET /api/v3/klines`: open time, OHLC and volume, close time, quote volume, trades, taker volumes, an unused field. */
export const BinanceKlineSchema = z
  .tuple([z.number().int(), decimal, decimal, decimal, decimal, decimal, z.number().int(), decimal, z.number().int(), decimal, decimal])
  .rest(z.unknown());
export type BinanceKline = z.infer<typeof BinanceKlineSchema>;
