import { describe, expect, it } from "vitest";
import { axisPrice, priceAxisWidth, timeTicks } from "./chart-axes";

describe("the price axis", () => {
  it("labels prices from $1,000 in whole dollars and cheaper ones as everywhere", () => {
    expect(axisPrice(105_000)).toBe("$105,000");
    expect(axisPrice(3_611.93)).toBe("$3,612");
    expect(axisPrice(0.2345)).toMatch(/^\$0\.23/);
  });

  it("is wide enough for its longest label at any price", () => {
    // A 16 px digit is some 9 px wide: eight characters and the tick beside them.
    expect(priceAxisWidth([104_000, 106_500])).toBeGreaterThanOrEqual(9 * "$106,500".length + 8);
    expect(priceAxisWidth([1_050_000, 1_060_000])).toBeGreaterThan(priceAxisWidth([104_000, 106_500]));
    expect(priceAxisWidth([])).toBeGreaterThan(0);
  });
});

describe("the time axis", () => {
  it("labels round times, at most the number asked, each a different one", () => {
    const from = Date.UTC(2026, 11, 6, 22, 5, 43, 120);
    const ticks = timeTicks(from, from + 40_000, 5);
    // 40 s: every 10 s (every 5 s would be 8 labels).
    expect(ticks).toEqual(
      [
        [5, 50],
        [6, 0],
        [6, 10],
        [6, 20],
      ].map(([m, s]) => Date.UTC(2026, 11, 6, 22, m!, s!)),
    );
    expect(timeTicks(from, from + 6 * 3_600_000, 4).length).toBeLessThanOrEqual(4);
  });
});
