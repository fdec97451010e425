import { z } from "zod";

/** One coin of `GET /api/v3/coins/markets`, the fields CryptoStream reads. */
export const CoinGeckoMarketSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  name: z.string(),
  image: z.string().nullish(),
  current_price: z.number().nullable(),
  market_cap_rank: z.number().int().nullish(),
  total_volume: z.number().nullish(),
  price_change_percentage_24h: z.number().nullish(),
  last_updated: z.string().nullish(),
});
export type CoinGeckoMarket = z.infer<typeof CoinGeckoMarketSchema>;

/** One coin of `GET /api/v3/simple/price` with change, volume and last update included. */
export interface CoinGeckoSimplePrice {
  usd: number;
  usd_24h_vol?: number;
  usd_24h_change?: number;
  /** Unix seconds. */
  last_updated_at?: number;
}

/** One candle of `GET /coins/{id}/ohlc`: `[time, open, high, low, close]`, the time its close (ms). */
export const CoinGeckoOhlcSchema = z.tuple([z.number().int(), z.number().positive(), z.number().positive(), z.number().positive(), z.number().positive()]);
export type CoinGeckoOhlc = z.infer<typeof CoinGeckoOhlcSchema>;
