import { describe, expect, it } from "vitest";
import { parseWindowQuery } from "./ticks-query";

const now = Date.parse("2026-11-22T12:00:00Z");
const parse = (query: string) => parseWindowQuery(new URLSearchParams(query), now);

describe("parseWindowQuery", () => {
  it("reads ms, ISO times and durations, with defaults of the last 15 minutes (up to the latest tick) and 10,000 ticks", () => {
    expect(parse("")).toEqual({ ok: true, window: { symbols: [], sinceMs: now - 900_000, limit: 10_000 } });
    expect(parse("symbols=btc,eth&since=1h&until=2026-11-22T11:30:00Z&limit=500")).toEqual({
      ok: true,
      window: { symbols: ["btc", "eth"], sinceMs: now - 3_600_000, untilMs: Date.parse("2026-11-22T11:30:00Z"), limit: 500 },
    });
    expect(parse(`since=${now - 5_000}`)).toMatchObject({ ok: true, window: { sinceMs: now - 5_000 } });
  });

  it.each([
    ["symbols=btc,ETH", "symbols", '"ETH" is not a symbol'],
    ["symbols=btc,,eth", "symbols", '"" is not a symbol'],
    ["since=yesterday", "since", '"yesterday" is not a time'],
    ["since=-5m", "since", '"-5m" is not a time'],
    ["since=2026-13-45T00:00:00Z", "since", "is not a time"],
    ["since=2026-11-23T00:00:00Z&until=2026-11-24T00:00:00Z", "since", "is in the future"],
    ["since=5m&until=10m", "until", "is before since"],
    ["until=soon", "until", '"soon" is not a time'],
    ["limit=0", "limit", "from 1 to 100000"],
    ["limit=100001", "limit", "from 1 to 100000"],
    ["limit=10.5", "limit", '"10.5" is not a limit'],
    ["limit=ten", "limit", '"ten" is not a limit'],
    ["sinse=5m", "unknown", 'unknown parameter "sinse"'],
  ])("%s is refused, naming %s", (query, parameter, message) => {
    const result = parse(query);
    expect(result).toMatchObject({ ok: false, parameter });
    if (!result.ok) expect(result.message).toContain(message);
  });
});
