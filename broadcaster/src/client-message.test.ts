import { describe, expect, it } from "vitest";
import { parseClientMessage } from "./client-message";

const known = (symbol: string) => ["btc", "eth"].includes(symbol);
const parse = (value: unknown) => parseClientMessage(typeof value === "string" ? value : JSON.stringify(value), known);

describe("parseClientMessage", () => {
  it.each([
    [{ type: "ping" }, { type: "ping" }],
    [
      { type: "subscribe", symbols: ["btc", "btc", "eth"] },
      { type: "subscribe", symbols: ["btc", "eth"] },
    ],
    [
      { type: "unsubscribe", symbols: ["doge"] },
      { type: "unsubscribe", symbols: ["doge"] },
    ],
    [
      { type: "resume", seq: 42 },
      { type: "resume", seq: 42 },
    ],
    [
      { type: "replay", since: "5m", symbols: ["eth"] },
      { type: "replay", since: "5m", symbols: ["eth"] },
    ],
    [
      { type: "replay", since: 1763800000000 },
      { type: "replay", since: 1763800000000 },
    ],
  ])("reads %j", (input, message) => expect(parse(input)).toEqual({ ok: true, message }));

  it.each([
    ["{not json", "bad_json"],
    ["[1,2]", "bad_request"],
    [{ symbols: ["btc"] }, "unknown_type"],
    [{ type: "launch" }, "unknown_type"],
    [{ type: "subscribe", symbols: "btc" }, "bad_request"],
    [{ type: "subscribe", symbols: ["BTC"] }, "bad_request"],
    [{ type: "resume", seq: "42" }, "bad_request"],
    [{ type: "resume", seq: -1 }, "bad_request"],
    [{ type: "replay", since: null }, "bad_request"],
    [{ type: "replay", since: "5m", symbols: ["doge"] }, "unknown_symbol"],
  ])("refuses %j with %s", (input, code) => {
    const result = parse(input);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(5);
  });
});
