import { isValidSymbol, parseTimeBound, type HttpErrorCode, type TickWindow } from "@cryptostream/core";

export const DEFAULT_WINDOW_LIMIT = 10_000;
export const MAX_WINDOW_LIMIT = 100_000;
const DEFAULT_SINCE = "15m";

export type WindowQuery = { ok: true; window: Required<Pick<TickWindow, "symbols" | "sinceMs" | "limit">> & Pick<TickWindow, "untilMs"> } | QueryError;

export type QueryError = { ok: false; parameter: string; code: HttpErrorCode; message: string };

const CODES = { symbols: "invalid_symbols", since: "invalid_since", until: "invalid_until", limit: "invalid_limit" } as const satisfies Record<
  string,
  HttpErrorCode
>;

export const badParameter = (parameter: keyof typeof CODES, message: string): QueryError => ({ ok: false, parameter, code: CODES[parameter], message });

/** A symbol in a path (`/api/history/:symbol`, `/api/candles/:symbol`) that is not one: `invalid_symbol`. */
export function checkPathSymbol(symbol: string): QueryError | undefined {
  if (isValidSymbol(symbol)) return undefined;
  return {
    ok: false,
    parameter: "symbol",
    code: "invalid_symbol",
    message: `"${symbol.slice(0, 40)}" is not a symbol: expected 1-20 lowercase letters or digits`,
  };
}

/** The first parameter not in `known` (an error that lists what is), or given more than once: which value was meant is not for the server to guess. */
export function checkParameters(params: URLSearchParams, known: readonly string[]): QueryError | undefined {
  const names = [...params.keys()];
  const name = names.find((key) => !known.includes(key));
  if (name !== undefined) {
    const expected = `${known.slice(0, -1).join(", ")} or ${known.at(-1)}`;
    return { ok: false, parameter: "unknown", code: "unknown_parameter", message: `unknown parameter "${name.slice(0, 40)}"; expected ${expected}` };
  }
  const repeated = names.find((key, index) => names.indexOf(key) !== index);
  if (repeated === undefined) return undefined;
  return { ok: false, parameter: "repeated", code: "repeated_parameter", message: `"${repeated}" is given more than once; give it once` };
}

/** `since` (default `defaultSince`) and `until` (absent: open), each ms, an ISO time or a duration back from `now`. */
export function parseTimeRange(params: URLSearchParams, now: number, defaultSince: string): { ok: true; sinceMs: number; untilMs?: number } | QueryError {
  const timeFormats = "ms since epoch, an ISO time or a duration such as 15m";
  const sinceText = params.get("since") ?? defaultSince;
  const sinceMs = parseTimeBound(sinceText, now);
  if (sinceMs === undefined) return badParameter("since", `"${sinceText}" is not a time: expected ${timeFormats}`);
  const untilText = params.get("until");
  const untilMs = untilText === null ? undefined : parseTimeBound(untilText, now);
  if (untilText !== null && untilMs === undefined) return badParameter("until", `"${untilText}" is not a time: expected ${timeFormats}`);
  if (untilMs !== undefined && untilMs < sinceMs) {
    return badParameter("until", `until (${new Date(untilMs).toISOString()}) is before since (${new Date(sinceMs).toISOString()})`);
  }
  if (sinceMs > now) return badParameter("since", `since (${new Date(sinceMs).toISOString()}) is in the future`);
  return untilMs === undefined ? { ok: true, sinceMs } : { ok: true, sinceMs, untilMs };
}

/** `limit`: an integer from 1 to `max`, `fallback` when absent. */
export function parseLimit(params: URLSearchParams, fallback: number, max: number): { ok: true; limit: number } | QueryError {
  const text = params.get("limit");
  const limit = text === null ? fallback : Number(text);
  if (!/^\d+$/.test(text ?? "0") || !Number.isInteger(limit) || limit < 1 || limit > max) {
    return badParameter("limit", `"${text}" is not a limit: expected an integer from 1 to ${max}`);
  }
  return { ok: true, limit };
}

/** Reads `symbols`, `since`, `until` and `limit` of `GET /api/ticks`, saying which is wrong and why. */
export function parseWindowQuery(params: URLSearchParams, now: number): WindowQuery {
  const unknown = checkParameters(params, ["symbols", "since", "until", "limit"]);
  if (unknown) return unknown;
  const symbolsText = params.get("symbols");
  const symbols = symbolsText === null ? [] : symbolsText.split(",");
  const badSymbol = symbols.find((symbol) => !isValidSymbol(symbol));
  if (badSymbol !== undefined) {
    return badParameter("symbols", `"${badSymbol}" is not a symbol: expected comma-separated lowercase symbols such as btc,eth`);
  }
  const range = parseTimeRange(params, now, DEFAULT_SINCE);
  if (!range.ok) return range;
  const limit = parseLimit(params, DEFAULT_WINDOW_LIMIT, MAX_WINDOW_LIMIT);
  if (!limit.ok) return limit;
  const { sinceMs, untilMs } = range;
  return { ok: true, window: untilMs === undefined ? { symbols, sinceMs, limit: limit.limit } : { symbols, sinceMs, untilMs, limit: limit.limit } };
}
