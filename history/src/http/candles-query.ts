import { CANDLES_PER_SUBJECT, isCandleInterval, type CandleInterval } from "@cryptostream/core";
import { parseLimit, parseTimeRange, checkParameters, type QueryError } from "./ticks-query";

export const DEFAULT_CANDLE_INTERVAL: CandleInterval = "1h";
const DEFAULT_SINCE = "24h";

export type CandlesQuery = { ok: true; interval: CandleInterval; sinceMs: number; untilMs: number; limit: number } | QueryError;

/** Reads `interval`, `since`, `until` and `limit` of `GET /api/candles/:symbol`, saying which is wrong and why. */
export function parseCandlesQuery(params: URLSearchParams, now: number): CandlesQuery {
  const unknown = checkParameters(params, ["interval", "since", "until", "limit"]);
  if (unknown) return unknown;
  const interval = params.get("interval") ?? DEFAULT_CANDLE_INTERVAL;
  if (!isCandleInterval(interval)) {
    return { ok: false, parameter: "interval", code: "invalid_interval", message: `"${interval.slice(0, 40)}" is not an interval: expected 1m, 5m, 1h or 1d` };
  }
  const range = parseTimeRange(params, now, DEFAULT_SINCE);
  if (!range.ok) return range;
  const limit = parseLimit(params, CANDLES_PER_SUBJECT, CANDLES_PER_SUBJECT);
  if (!limit.ok) return limit;
  return { ok: true, interval, sinceMs: range.sinceMs, untilMs: range.untilMs ?? now, limit: limit.limit };
}
