import {
  BinanceKlineSchema,
  CANDLE_INTERVALS,
  CoinGeckoOhlcSchema,
  candleOpenTime,
  type AssetMapping,
  type Candle,
  UpstreamRequestError,
  type CandleInterval,
} from "@cryptostream/core";
import type { RestClient } from "./rest-client";

/** Where closed candles of the past come from: every bar of `[from, to)` the venue has, oldest first. */
export interface CandleHistorySource {
  readonly name: "binance" | "coingecko";
  /** The intervals it can fill. */
  readonly intervals: readonly CandleInterval[];
  /** Whether it lists the coin at all. */
  lists(asset: AssetMapping): boolean;
  candles(asset: AssetMapping, interval: CandleInterval, from: number, to: number): Promise<Candle[]>;
}

export const KLINES_LIMIT = 1_000;
/** Binance's request weight per minute per IP; the backfill stays under half of it. */
export const BINANCE_WEIGHT_PER_MINUTE = 6_000;

/** `GET /api/v3/klines`, paged by `startTime` with `limit` 1000. */
export class BinanceKlines implements CandleHistorySource {
  readonly name = "binance";
  readonly intervals = ["1m", "5m", "1h", "1d"] as const;

  constructor(
    private readonly baseUrl: string,
    private readonly client: RestClient,
  ) {}

  lists(asset: AssetMapping): boolean {
    return asset.binancePair !== undefined;
  }

  async candles(asset: AssetMapping, interval: CandleInterval, from: number, to: number): Promise<Candle[]> {
    const length = CANDLE_INTERVALS[interval];
    const candles: Candle[] = [];
    for (let start = from; start < to; ) {
      const query = new URLSearchParams({
        symbol: asset.binancePair!.toUpperCase(),
        interval,
        startTime: String(start),
        endTime: String(to - 1),
        limit: String(KLINES_LIMIT),
      });
      const page = await this.client.getJson(`${this.baseUrl}/api/v3/klines?${query}`);
      if (!Array.isArray(page)) throw new UpstreamRequestError("http_4xx", `klines of ${asset.symbol}: not an array`);
      for (const row of page) {
        const kline = BinanceKlineSchema.safeParse(row);
        if (!kline.success) throw new UpstreamRequestError("http_4xx", `klines of ${asset.symbol}: ${kline.error.issues[0]?.message}`);
        const [openTime, open, high, low, close] = kline.data;
        if (openTime >= to || openTime < from) continue;
        candles.push(backfilled(asset.symbol, interval, openTime, [open, high, low, close].map(Number) as OHLC, "binance"));
      }
      const last = candles.at(-1)?.openTime;
      if (page.length < KLINES_LIMIT || last === undefined) break;
      start = last + length;
    }
    return candles;
  }
}

/**
 * CoinGecko's `GET /coins/{id}/ohlc`, whose candle body is chosen by `days`: 30-minute candles
 * over 1 day make hours, 4-hour candles over 30 days make days. A bar is made only of whole
 * candles that tile it; 1m and 5m it cannot fill.
 */
export class CoinGeckoOhlcHistory implements CandleHistorySource {
  readonly name = "coingecko";
  readonly intervals = ["1h", "1d"] as const;

  constructor(
    private readonly baseUrl: string,
    private readonly client: RestClient,
  ) {}

  lists(): boolean {
    return true;
  }

  async candles(asset: AssetMapping, interval: CandleInterval, from: number, to: number): Promise<Candle[]> {
    const [days, bodyMs] = interval === "1h" ? [1, 1_800_000] : [30, 14_400_000];
    const query = new URLSearchParams({ vs_currency: "usd", days: String(days) });
    const rows = await this.client.getJson(`${this.baseUrl}/coins/${encodeURIComponent(asset.coingeckoId)}/ohlc?${query}`);
    if (!Array.isArray(rows)) throw new UpstreamRequestError("http_4xx", `ohlc of ${asset.symbol}: not an array`);
    const bars = new Map<number, { parts: OHLC[]; opens: number[] }>();
    for (const row of rows) {
      const parsed = CoinGeckoOhlcSchema.safeParse(row);
      if (!parsed.success) throw new UpstreamRequestError("http_4xx", `ohlc of ${asset.symbol}: ${parsed.error.issues[0]?.message}`);
      const [closeTime, open, high, low, close] = parsed.data;
      const openTime = candleOpenTime(closeTime - bodyMs, interval);
      const bar = bars.get(openTime) ?? { parts: [], opens: [] };
      bar.parts.push([open, high, low, close]);
      bar.opens.push(closeTime - bodyMs);
      bars.set(openTime, bar);
    }
    const whole = CANDLE_INTERVALS[interval] / bodyMs;
    return [...bars]
      .filter(([openTime, bar]) => openTime >= from && openTime < to && new Set(bar.opens).size === whole)
      .sort(([a], [b]) => a - b)
      .map(([openTime, bar]) => backfilled(asset.symbol, interval, openTime, foldParts(bar.parts), "coingecko"));
  }
}

type OHLC = [open: number, high: number, low: number, close: number];

function foldParts(parts: readonly OHLC[]): OHLC {
  return [parts[0]![0], Math.max(...parts.map((p) => p[1])), Math.min(...parts.map((p) => p[2])), parts.at(-1)![3]];
}

function backfilled(symbol: string, interval: CandleInterval, openTime: number, [open, high, low, close]: OHLC, source: "binance" | "coingecko"): Candle {
  return { symbol, interval, openTime, open, high, low, close, ticks: 0, firstSeq: 0, lastSeq: 0, source };
}
