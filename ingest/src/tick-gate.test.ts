import { describe, expect, it } from "vitest";
import { SourceSelector } from "./failover";
import { TickGate, UNCHANGED } from "./tick-gate";

const tick = { symbol: "btc", price: 98_000, ts: 1_763_800_000_000, source: "binance" };

describe("TickGate", () => {
  it("admits valid ticks in order, drops an older one and skips a repeat, per symbol and source", () => {
    const gate = new TickGate();
    expect(gate.admit(tick).ok).toBe(true);
    expect(gate.admit({ ...tick, ts: tick.ts + 1 }).ok).toBe(true);
    expect(gate.admit(tick)).toMatchObject({ ok: false, reason: "out_of_order" });
    expect(gate.admit({ ...tick, ts: tick.ts + 1 })).toMatchObject({ ok: false, reason: UNCHANGED });
    expect(gate.admit({ ...tick, source: "coingecko" }).ok).toBe(true);
    expect(gate.admit({ ...tick, symbol: "eth" }).ok).toBe(true);
  });

  it("rejects a tick the schema refuses", () => {
    expect(new TickGate().admit({ ...tick, price: Number.NaN })).toMatchObject({ ok: false, reason: "invalid_tick" });
  });
});

describe("SourceSelector", () => {
  it("uses the fallback only while the primary is silent for a symbol", () => {
    let now = 0;
    const selector = new SourceSelector("binance", 10_000, () => now);
    expect(selector.accepts("coingecko", "btc")).toBe(true);
    expect(selector.accepts("binance", "btc")).toBe(true);
    now = 5_000;
    expect(selector.accepts("coingecko", "btc")).toBe(false);
    expect(selector.accepts("coingecko", "eth")).toBe(true);
    now = 15_001;
    expect(selector.accepts("coingecko", "btc")).toBe(true);
  });
});
