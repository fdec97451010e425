import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff";
import { parseDuration } from "./duration";
import { priceSubject, symbolFromSubject } from "./names";

describe("subjects", () => {
  it("maps a symbol to its subject and back", () => {
    expect(priceSubject("btc")).toBe("prices.btc");
    expect(symbolFromSubject("prices.btc")).toBe("btc");
    expect(symbolFromSubject("prices.BTC")).toBeUndefined();
    expect(symbolFromSubject("replay.prices.btc")).toBeUndefined();
  });
});

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["1.5h", 5_400_000],
    ["7d", 604_800_000],
    ["1200", 1200],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "5 minutes", "-5m", "m", "5w"])("refuses %j", (text) => expect(parseDuration(text)).toBeUndefined());
});

describe("backoffDelay", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    const top = () => 0.999999;
    expect(backoffDelay(0, { baseMs: 100, maxMs: 5_000, random: top })).toBe(99);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5_000, random: top })).toBe(799);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 5_000, random: top })).toBe(4_999);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5_000, random: () => 0 })).toBe(0);
  });
});
