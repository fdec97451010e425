import { parseDuration } from "./duration";

/**
 * A point in time as people write it in a query or on a command line: ms since
 * epoch (`1763800000000`), an ISO time (`2026-11-22T08:00:00Z`), or a duration
 * back from now (`15m`). Undefined when it is none of these.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (/^\d{12,}$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (/^\d+$/.test(trimmed)) return undefined;
  const duration = parseDuration(trimmed);
  return duration === undefined ? undefined : now - duration;
}
