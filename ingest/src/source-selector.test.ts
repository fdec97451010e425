import { describe, expect, it } from "vitest";
import { SourceSelector } from "./source-selector";

describe("SourceSelector", () => {
  it("fails over to the fallback after the primary's silence, and back only once the primary is steady again", () => {
    let clock = 0;
    const selector = new SourceSelector("binance", 10_000, 5_000, () => clock);
    expect(selector.accepts("binance", "btc")).toBe(true);
    expect(selector.accepts("coingecko", "btc")).toBe(false);
    clock = 10_001;
    expect(selector.accepts("coingecko", "btc")).toBe(true);
    expect(selector.activeSource("btc")).toBe("fallback");

    clock = 11_000;
    expect(selector.accepts("binance", "btc")).toBe(false);
    clock = 13_000;
    expect(selector.accepts("binance", "btc")).toBe(false);
    expect(selector.accepts("coingecko", "btc")).toBe(true);
    clock = 16_000;
    expect(selector.accepts("binance", "btc")).toBe(true);
    expect(selector.activeSource("btc")).toBe("primary");
    expect(selector.accepts("coingecko", "btc")).toBe(false);
  });

  it("restarts the recovery when the primary falls silent again before it is steady", () => {
    let clock = 0;
    const selector = new SourceSelector("binance", 1_000, 5_000, () => clock);
    const primaryAt = (t: number) => {
      clock = t;
      return selector.accepts("binance", "eth");
    };
    clock = 1_001;
    expect(selector.accepts("coingecko", "eth")).toBe(true);
    for (let t = 1_100; t <= 4_100; t += 500) expect(primaryAt(t)).toBe(false);
    for (let t = 5_500; t < 10_500; t += 500) expect(primaryAt(t)).toBe(false);
    expect(primaryAt(10_500)).toBe(true);
  });

  it("gives the primary time to speak at start before the fallback takes over", () => {
    let clock = 0;
    const selector = new SourceSelector("binance", 10_000, 5_000, () => clock);
    expect(selector.accepts("coingecko", "btc")).toBe(false);
    clock = 2_000;
    expect(selector.accepts("binance", "btc")).toBe(true);
    clock = 10_001;
    expect(selector.accepts("coingecko", "sol")).toBe(true);
  });
});
