import type { Market } from "./market";
import type { Bar } from "./price-path";

const MINUTE = 60_000;
/** Binance's kline intervals, by name. */
const KLINE_INTERVALS: Record<string, number> = {
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": 60 * MINUTE,
  "2h": 120 * MINUTE,
  "4h": 240 * MINUTE,
  "6h": 360 * MINUTE,
  "8h": 480 * MINUTE,
  "12h": 720 * MINUTE,
  "1d": 1_440 * MINUTE,
};
export const KLINES_WEIGHT = 2;
export const KLINES_MAX_LIMIT = 1_000;

export type RestAnswer = { status: number; body: unknown };

const decimal = (value: number) => value.toFixed(8);

/** A bar as Binance's kline array: open time, OHLC and volume as strings, close time, quote volume, trades, taker volumes, an unused field. */
export function toBinanceKline(bar: Bar, intervalMs: number): (number | string)[] {
  const quote = bar.volume * bar.close;
  return [
    bar.openTime,
    decimal(bar.open),
    decimal(bar.high),
    decimal(bar.low),
    decimal(bar.close),
    decimal(bar.volume),
    bar.openTime + intervalMs - 1,
    decimal(quote),
    bar.trades,
    decimal(bar.volume / 2),
    decimal(quote / 2),
    "0",
  ];
}

/**
 * `GET /api/v3/klines` as Binance answers it: `symbol` and `interval` required, `limit` 1 to 1000
 * (default 500); from `startTime` forward, or else the newest bars up to `endTime` (default now),
 * the newest possibly still forming. Errors carry Binance's codes.
 */
export function klines(market: Market, params: URLSearchParams, now: number): RestAnswer {
  const pair = params.get("symbol") ?? "";
  const coin = market.byBinancePair(pair.toLowerCase());
  if (!pair) return { status: 400, body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." } };
  if (!coin || pair !== pair.toUpperCase()) return { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
  const intervalMs = KLINE_INTERVALS[params.get("interval") ?? ""];
  if (intervalMs === undefined) return { status: 400, body: { code: -1120, msg: "Invalid interval." } };
  const limit = Number(params.get("limit") ?? 500);
  if (!Number.isInteger(limit) || limit < 1 || limit > KLINES_MAX_LIMIT) {
    return { status: 400, body: { code: -1130, msg: "Invalid data sent for a parameter." } };
  }
  const startTime = params.has("startTime") ? Number(params.get("startTime")) : undefined;
  const endTime = params.has("endTime") ? Number(params.get("endTime")) : now;
  if ((startTime !== undefined && !Number.isFinite(startTime)) || !Number.isFinite(endTime)) {
    return { status: 400, body: { code: -1100, msg: "Illegal characters found in a parameter." } };
  }
  const until = Math.min(endTime, now);
  const lastOpen = Math.floor(until / intervalMs) * intervalMs;
  const bars =
    startTime !== undefined
      ? coin.path.bars(intervalMs, startTime, Math.min(until, Math.ceil(startTime / intervalMs) * intervalMs + (limit - 1) * intervalMs))
      : coin.path.bars(intervalMs, lastOpen - (limit - 1) * intervalMs, until);
  return { status: 200, body: bars.slice(0, limit).map((bar) => toBinanceKline(bar, intervalMs)) };
}

/**
 * CoinGecko's `GET /coins/{id}/ohlc?vs_currency=usd&days=N`: `[time, open, high, low, close]`
 * with the time the candle's close, 30-minute candles for 1 to 2 days, 4-hour for 3 to 30, 4-day
 * beyond; the keyless API goes back 365 days at most.
 */
export function coinGeckoOhlc(market: Market, id: string, params: URLSearchParams, now: number): RestAnswer {
  const coin = market.byCoinGeckoId(id);
  if (!coin) return { status: 404, body: { error: "coin not found" } };
  if (params.get("vs_currency") !== "usd") return { status: 400, body: { error: "invalid vs_currency" } };
  const days = Number(params.get("days"));
  if (!Number.isFinite(days) || days <= 0) return { status: 400, body: { error: "invalid days" } };
  if (days > 365) {
    return {
      status: 401,
      body: {
        error: {
          status: {
            error_code: 10012,
            error_message: "Your request exceeds the allowed time range. Public API users are limited to querying historical data within the past 365 days.",
          },
        },
      },
    };
  }
  const bodyMs = days <= 2 ? 30 * MINUTE : days <= 30 ? 240 * MINUTE : 4 * 1_440 * MINUTE;
  const bars = coin.path.bars(bodyMs, now - days * 86_400_000, now - bodyMs);
  return { status: 200, body: bars.map((bar) => [bar.openTime + bodyMs, bar.open, bar.high, bar.low, bar.close]) };
}
