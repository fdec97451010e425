import { parseDuration } from "./duration";

/** The latest time a `Date` can hold (ms since epoch); anything past it is no time at all. */
export const MAX_TIME_MS = 8.64e15;

/** Whether `ms` is a point in time a window can start or end at: a whole ms from the epoch to {@link MAX_TIME_MS}. */
export function isTimeInRange(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIME_MS;
}

/**
 * A point in time as people write it in a query or on a command line: ms since
 * epoch (`1763800000000`), an ISO time (`2026-11-22T08:00:00Z`), or a duration
 * back from now (`15m`). Undefined when it is none of these (spaces around it included),
 * or lies before the epoch or past the last time a `Date` can hold.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  if (text !== text.trim()) return undefined;
  let ms: number | undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) ms = Date.parse(text);
  else if (/^\d+$/.test(text)) ms = Number(text);
  else {
    const duration = parseDuration(text);
    ms = duration === undefined ? undefined : now - duration;
  }
  return ms !== undefined && isTimeInRange(ms) ? ms : undefined;
}
