import { describe, expect, it } from "vitest";
import { basePrice, change24h } from "./changes";

const latest = { symbol: "btc", price: 110, ts: 1_763_800_000_000, source: "index", seq: 9 };

describe("the 24-hour change", () => {
  it("is the price now against the candles' close 24 h before, which /api/symbols' change implies", () => {
    const base = basePrice({ symbol: "btc", latest, changes: { "24h": 10 } }, "24h");
    expect(base).toBeCloseTo(100, 9);
    // It follows the live price: 99 against the same base is a fall of 1%.
    expect(change24h({ price: 99, change24h: 4.2 }, base)).toBeCloseTo(-1, 9);
  });

  it("is the venues' own until the candles reach back 24 h", () => {
    expect(basePrice({ symbol: "btc", latest, changes: { "1h": 1 } }, "24h")).toBeUndefined();
    expect(basePrice(undefined, "24h")).toBeUndefined();
    expect(change24h({ price: 99, change24h: 4.2 }, undefined)).toBe(4.2);
  });
});
