import { describe, expect, it } from "vitest";
import { SourceSelector } from "./failover";
import { TickGate, UNCHANGED } from "./tick-gate";

const now = 1_763_800_000_000;
const tick = { symbol: "btc", price: 98_000, ts: now - 1_000, source: "binance" };
const gate = () => new TickGate({ maxPriceJump: 0.5, maxFutureMs: 30_000, maxAgeMs: 600_000 }, () => now);

describe("TickGate", () => {
  it("admits valid ticks in order, drops an older one and skips a repeat, per symbol and source", () => {
    const g = gate();
    expect(g.admit(tick).ok).toBe(true);
    expect(g.admit({ ...tick, ts: tick.ts + 1 }).ok).toBe(true);
    expect(g.admit(tick)).toMatchObject({ ok: false, reason: "out_of_order" });
    expect(g.admit({ ...tick, ts: tick.ts + 1 })).toMatchObject({ ok: false, reason: UNCHANGED });
    expect(g.admit({ ...tick, source: "coingecko" }).ok).toBe(true);
    expect(g.admit({ ...tick, symbol: "eth", price: 3_400 }).ok).toBe(true);
  });

  it.each([
    ["a NaN price", { price: Number.NaN }, "invalid_tick"],
    ["a zero price", { price: 0 }, "invalid_tick"],
    ["a timestamp an hour ahead", { ts: now + 3_600_000 }, "future_timestamp"],
    ["a timestamp a day old", { ts: now - 86_400_000 }, "old_timestamp"],
  ])("rejects %s", (_, change, reason) => {
    expect(gate().admit({ ...tick, ...change })).toMatchObject({ ok: false, reason });
  });

  it("rejects a price a thousand times the last good one, or a fall of more than half, and keeps the last good price", () => {
    const g = gate();
    g.admit(tick);
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_000_000 })).toMatchObject({ ok: false, reason: "price_jump" });
    expect(g.admit({ ...tick, ts: tick.ts + 2, price: 40_000 })).toMatchObject({ ok: false, reason: "price_jump" });
    expect(g.admit({ ...tick, ts: tick.ts + 3, price: 99_000 }).ok).toBe(true);
  });
});

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
