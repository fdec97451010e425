import { fixtureLines, readFixture } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { parseBinanceFrame } from "./binance-parse";

const pairs = new Map([
  ["BTCUSDT", "btc"],
  ["ETHUSDT", "eth"],
  ["SOLUSDT", "sol"],
  ["XLMUSDT", "xlm"],
]);

describe("parseBinanceFrame", () => {
  it("turns each documented combined-stream mini ticker into a tick", () => {
    const results = fixtureLines("binance-combined-miniticker.jsonl").map((line) => parseBinanceFrame(line, pairs));
    expect(results.map((r) => r.kind)).toEqual(["tick", "tick", "tick", "tick", "tick"]);
    const first = results[0]!;
    expect(first.kind === "tick" && first.tick).toEqual({
      symbol: "btc",
      price: 98421.57,
      ts: 1763800000123,
      source: "binance",
      volume24h: Number("1781234567.12345678"),
      change24h: ((98421.57 - 96830.1) / 96830.1) * 100,
    });
  });

  it("recognises control replies and serverShutdown", () => {
    const [subscribed, listed, error, shutdown] = fixtureLines("binance-control.jsonl").map((l) => parseBinanceFrame(l, pairs));
    expect(subscribed?.kind).toBe("control");
    expect(listed?.kind).toBe("control");
    expect(error?.kind).toBe("control");
    expect(shutdown?.kind).toBe("shutdown");
  });

  const event = JSON.parse(fixtureLines("binance-combined-miniticker.jsonl")[0]!);
  const withData = (data: Record<string, unknown>) => JSON.stringify({ ...event, data: { ...event.data, ...data } });
  it.each([
    ["truncated JSON", '{"stream":"btcusdt@miniTicker","data":{"e":"24hrMin', "malformed_json"],
    ["an array (the !miniTicker@arr format, not subscribed)", readFixture("binance-miniticker-arr.json"), "unknown_format"],
    ["a numeric price", withData({ c: 98421.57 }), "invalid_event"],
    ["a price that is not a number", withData({ c: "NaN" }), "invalid_event"],
    ["a missing event time", withData({ E: undefined }), "invalid_event"],
    ["an untracked pair", withData({ s: "DOGEUSDT" }), "unknown_symbol"],
  ])("rejects %s", (_, text, reason) => {
    expect(parseBinanceFrame(text, pairs)).toMatchObject({ kind: "rejected", reason });
  });
});
