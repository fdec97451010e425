import { isValidSymbol, type ClientMessage, type ProtocolErrorCode } from "@cryptostream/core";

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; code: ProtocolErrorCode; message: string };

const fail = (code: ProtocolErrorCode, message: string): ParsedClientMessage => ({ ok: false, code, message });

function symbolsField(value: unknown, isKnown: (symbol: string) => boolean): { symbols: string[] } | ParsedClientMessage {
  if (!Array.isArray(value) || value.some((s) => typeof s !== "string")) {
    return fail("bad_request", "symbols must be an array of strings");
  }
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
      const field = symbolsField(request.symbols, request.type === "subscribe" ? isKnown : () => true);
      if ("ok" in field) return field;
      return { ok: true, message: { type: request.type, symbols: field.symbols } };
    }
    case "resume": {
      const seq = request.seq;
      if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) return fail("bad_request", "seq must be a non-negative integer");
      return { ok: true, message: { type: "resume", seq } };
    }
    case "replay": {
      const since = request.since;
      if (typeof since !== "number" && typeof since !== "string") {
        return fail("bad_request", 'since must be ms since epoch or a duration such as "5m"');
      }
      if (request.symbols === undefined) return { ok: true, message: { type: "replay", since } };
      const field = symbolsField(request.symbols, isKnown);
      if ("ok" in field) return field;
      return { ok: true, message: { type: "replay", since, symbols: field.symbols } };
    }
    default:
      return fail("unknown_type", `unknown message type ${JSON.stringify(request.type ?? null)}`);
  }
}
