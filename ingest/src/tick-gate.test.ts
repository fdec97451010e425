import { describe, expect, it } from "vitest";
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
