import { isValidSymbol, parseTimeBound, type HttpErrorCode, type TickWindow } from "@cryptostream/core";

export const DEFAULT_WINDOW_LIMIT = 10_000;
export const MAX_WINDOW_LIMIT = 100_000;
const DEFAULT_SINCE = "15m";
const KNOWN_PARAMETERS = new Set(["symbols", "since", "until", "limit"]);

export type WindowQuery =
  | { ok: true; window: Required<Pick<TickWindow, "symbols" | "sinceMs" | "limit">> & Pick<TickWindow, "untilMs"> }
  | { ok: false; parameter: WindowParameter | "unknown"; code: HttpErrorCode; message: string };

type WindowParameter = "symbols" | "since" | "until" | "limit";
const CODES = { symbols: "invalid_symbols", since: "invalid_since", until: "invalid_until", limit: "invalid_limit" } as const satisfies Record<
  WindowParameter,
  HttpErrorCode
>;

const bad = (parameter: WindowParameter, message: string): WindowQuery => ({ ok: false, parameter, code: CODES[parameter], message });

/** Reads `symbols`, `since`, `until` and `limit` of `GET /api/ticks`, saying which is wrong and why. */
export function parseWindowQuery(params: URLSearchParams, now: number): WindowQuery {
  for (const name of params.keys()) {
    if (!KNOWN_PARAMETERS.has(name)) {
      return {
        ok: false,
        parameter: "unknown",
        code: "unknown_parameter",
        message: `unknown parameter "${name.slice(0, 40)}"; expected symbols, since, until or limit`,
      };
    }
  }
  const symbolsText = params.get("symbols");
  const symbols = symbolsText === null ? [] : symbolsText.split(",").map((s) => s.trim());
  const badSymbol = symbols.find((symbol) => !isValidSymbol(symbol));
  if (badSymbol !== undefined) {
    return bad("symbols", `"${badSymbol}" is not a symbol: expected comma-separated lowercase symbols such as btc,eth`);
  }

  const timeFormats = "ms since epoch, an ISO time or a duration such as 15m";
  const sinceText = params.get("since") ?? DEFAULT_SINCE;
  const sinceMs = parseTimeBound(sinceText, now);
  if (sinceMs === undefined) return bad("since", `"${sinceText}" is not a time: expected ${timeFormats}`);
  const untilText = params.get("until");
  const untilMs = untilText === null ? undefined : parseTimeBound(untilText, now);
  if (untilText !== null && untilMs === undefined) return bad("until", `"${untilText}" is not a time: expected ${timeFormats}`);
  if (untilMs !== undefined && untilMs < sinceMs) {
    return bad("until", `until (${new Date(untilMs).toISOString()}) is before since (${new Date(sinceMs).toISOString()})`);
  }
  if (sinceMs > now) return bad("since", `since (${new Date(sinceMs).toISOString()}) is in the future`);

  const limitText = params.get("limit");
  const limit = limitText === null ? DEFAULT_WINDOW_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? "0") || !Number.isInteger(limit) || limit < 1 || limit > MAX_WINDOW_LIMIT) {
    return bad("limit", `"${limitText}" is not a limit: expected an integer from 1 to ${MAX_WINDOW_LIMIT}`);
  }
  return { ok: true, window: untilMs === undefined ? { symbols, sinceMs, limit } : { symbols, sinceMs, untilMs, limit } };
}
