import { isTimeInRange, isValidSymbol, parseDuration, type ClientMessage, type ProtocolErrorCode } from "@cryptostream/core";

/** Most symbols one message may name: more than any deployment lists, few enough to check cheaply. */
export const MAX_SYMBOLS_PER_MESSAGE = 1_000;
const MAX_EPOCH_LENGTH = 64;
export const MIN_THROTTLE_MS = 100;
export const MAX_THROTTLE_MS = 60_000;

/** A throttle as a client writes it (`250ms`, `1s`, ms; `0` or `off` for none) in ms, 0 for none, or undefined when it is no throttle. */
export function parseThrottle(value: unknown): number | undefined {
  if (value === 0 || value === "0" || value === "off") return 0;
  const ms = typeof value === "number" ? value : typeof value === "string" ? parseDuration(value) : undefined;
  return ms !== undefined && Number.isInteger(ms) && ms >= MIN_THROTTLE_MS && ms <= MAX_THROTTLE_MS ? ms : undefined;
}

export const THROTTLE_PROBLEM = `throttle must be a duration from ${MIN_THROTTLE_MS}ms to ${MAX_THROTTLE_MS / 1000}s, such as 250ms, or 0 for none`;

/** A stream epoch as `hello` gives it (its creation time), or a value that cannot be one. */
export function isEpoch(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_EPOCH_LENGTH;
}

/** Longest token an `auth` message may carry (the frame limit is 4 KiB anyway). */
const MAX_TOKEN_LENGTH = 2_048;

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; code: ProtocolErrorCode; message: string };

const fail = (code: ProtocolErrorCode, message: string): ParsedClientMessage => ({ ok: false, code, message });

function symbolsField(value: unknown, isKnown: (symbol: string) => boolean): { symbols: string[] } | ParsedClientMessage {
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string")) {
    return fail("bad_request", "symbols must be an array of strings");
  }
  if (value.length > MAX_SYMBOLS_PER_MESSAGE) return fail("bad_request", `at most ${MAX_SYMBOLS_PER_MESSAGE} symbols per message`);
  const malformed = value.find((s: string) => !isValidSymbol(s));
  if (malformed !== undefined) return fail("bad_request", `"${malformed}" is not a symbol: expected lowercase such as btc`);
  const unknown = value.filter((s: string) => !isKnown(s));
  if (unknown.length > 0) return fail("unknown_symbol", `unknown symbols: ${unknown.join(", ")}`);
  return { symbols: [...new Set(value as string[])] };
}

/** Reads one client frame, saying what is wrong with it when it is not a valid request. */
export function parseClientMessage(text: string, isKnown: (symbol: string) => boolean): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("bad_json", "frames must be JSON text");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("bad_request", "a message is a JSON object with a type");
  const request = value as Record<string, unknown>;
  switch (request.type) {
    case "ping":
      return { ok: true, message: { type: "ping" } };
    case "subscribe":
    case "unsubscribe": {
      // A well-formed symbol not seen yet is kept (its ticks follow once there are any): the connection says so.
      const field = symbolsField(request.symbols, () => true);
      if ("ok" in field) return field;
      if (request.type === "unsubscribe" || request.throttle === undefined) return { ok: true, message: { type: request.type, symbols: field.symbols } };
      const throttle = parseThrottle(request.throttle);
      if (throttle === undefined) return fail("bad_request", THROTTLE_PROBLEM);
      return { ok: true, message: { type: "subscribe", symbols: field.symbols, throttle } };
    }
    case "resume": {
      const seq = request.seq;
      if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return fail("bad_request", "seq must be a non-negative integer below 2^53");
      const epoch = request.epoch;
      if (epoch === undefined) return { ok: true, message: { type: "resume", seq } };
      if (!isEpoch(epoch)) return fail("bad_request", `epoch must be the string hello gave, at most ${MAX_EPOCH_LENGTH} characters`);
      return { ok: true, message: { type: "resume", seq, epoch } };
    }
    case "replay": {
      const since = request.since;
      if (typeof since !== "number" && typeof since !== "string") {
        return fail("bad_request", 'since must be ms since epoch or a duration such as "5m"');
      }
      if (typeof since === "number" && !isTimeInRange(since)) {
        return fail("bad_request", `since ${since} is not a time: expected whole ms from the epoch to 8.64e15`);
      }
      if (request.symbols === undefined) return { ok: true, message: { type: "replay", since } };
      const field = symbolsField(request.symbols, isKnown);
      if ("ok" in field) return field;
      return { ok: true, message: { type: "replay", since, symbols: field.symbols } };
    }
    case "auth": {
      const token = request.token;
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH || /\s/.test(token)) {
        return fail("bad_request", `token must be a string of 1 to ${MAX_TOKEN_LENGTH} characters without whitespace`);
      }
      return { ok: true, message: { type: "auth", token } };
    }
    default:
      return fail("unknown_type", `unknown message type ${JSON.stringify(request.type ?? null)}`);
  }
}
