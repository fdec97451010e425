import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { TAKE_BACK_TICKS, TickGate, UNCHANGED } from "./tick-gate";

const start = 1_763_800_000_000;
const tick = { symbol: "btc", price: 98_000, ts: start - 1_000, source: "binance" };
const setup = () => {
  const clock = new FakeClock(start);
  return { clock, gate: new TickGate({ maxPriceJump: 0.5, maxFutureMs: 30_000, maxAgeMs: 600_000 }, clock) };
};
const gate = () => setup().gate;
/** The venue's ticks one second apart from `from` on, one per price. */
const series = (source: string, prices: number[], from = tick.ts + 1) => prices.map((price, i) => ({ ...tick, source, price, ts: from + i * 1_000 }));

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
    ["a timestamp an hour ahead", { ts: start + 3_600_000 }, "future_timestamp"],
    ["a timestamp a day old", { ts: start - 86_400_000 }, "old_timestamp"],
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

  it.each([
    ["a thousand times", 98_000_000],
    ["a thousandth", 98],
  ])("refuses a venue's first price at %s the other venues' as off_market, and takes its true price", (_, bad) => {
    const g = gate();
    expect(g.admit({ ...tick, source: "coinbase" }).ok).toBe(true);
    expect(g.admit({ ...tick, source: "kraken", price: 98_100 }).ok).toBe(true);
    expect(g.admit({ ...tick, price: bad })).toMatchObject({ ok: false, reason: "off_market" });
    // The refused price is nobody's evidence: the venue's true price passes at once.
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_050 }).ok).toBe(true);
  });

  it("refuses a first price far from the last reference price when no other source is fresh, and CoinGecko's counts with another", () => {
    const { gate: g } = setup();
    g.noteReference("btc", 98_000);
    expect(g.admit({ ...tick, price: 98_000_000 })).toMatchObject({ ok: false, reason: "off_market" });
    const { gate: h } = setup();
    expect(h.admit({ ...tick, source: "coingecko" }).ok).toBe(true);
    expect(h.admit({ ...tick, source: "kraken", price: 97_900 }).ok).toBe(true);
    expect(h.admit({ ...tick, price: 98 })).toMatchObject({ ok: false, reason: "off_market" });
  });

  it("cannot tell one venue from one other, nor from others that disagree with each other: it takes the price and leaves it to the reference", () => {
    const g = gate();
    expect(g.admit({ ...tick, source: "kraken", price: 98_000_000 }).ok).toBe(true);
    expect(g.admit({ ...tick, source: "coinbase" }).ok).toBe(true);
    expect(g.admit(tick).ok).toBe(true);
    // Now two agree: the third's off price is refused.
    expect(g.admit({ ...tick, source: "bitstamp", price: 98_000_000 })).toMatchObject({ ok: false, reason: "off_market" });
  });

  it("judges a venue back after a long gap by the market, not by its own price from before the gap", () => {
    const { clock, gate: g } = setup();
    expect(g.admit(tick).ok).toBe(true);
    clock.advance(601_000);
    g.noteReference("btc", 50_000);
    // Its own price is 10 min old: the market (the reference) decides.
    expect(g.admit({ ...tick, ts: start + 600_000, price: 51_000 }).ok).toBe(true);
  });

  it("takes a poisoned venue back at once when the market sides with its new price", () => {
    const g = gate();
    // Nothing to compare with: the very first price is taken, and it is wrong.
    expect(g.admit({ ...tick, price: 98_000_000 }).ok).toBe(true);
    g.noteReference("btc", 98_000);
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_100 }).ok).toBe(true);
  });

  it(`heals a new deployment whose very first price was wrong within ${TAKE_BACK_TICKS} of that venue's ticks`, () => {
    const g = gate();
    expect(g.admit({ ...tick, price: 98_000_000 }).ok).toBe(true);
    // Two sources, one wrong: nothing tells which (the reference withholds the price, no_majority).
    expect(g.admit({ ...tick, source: "coinbase" }).ok).toBe(true);
    expect(series("binance", [98_000, 98_100, 98_050]).map((t) => g.admit(t).ok)).toEqual([false, false, true]);
  });

  it(`takes a venue back after ${TAKE_BACK_TICKS} agreeing refused ticks when nothing else speaks (a real jump), and not while they disagree`, () => {
    const g = gate();
    expect(g.admit(tick).ok).toBe(true);
    const ticks = series("binance", [40_000, 150_000, 40_100, 40_050, 40_080]);
    expect(ticks.map((t) => g.admit(t).ok)).toEqual([false, false, false, false, true]);
    expect(g.admit({ ...tick, ts: tick.ts + 10_000, price: 40_000 }).ok).toBe(true);
  });

  it("keeps refusing a venue whose jump the market contradicts, however often it repeats it", () => {
    const g = gate();
    expect(g.admit({ ...tick, source: "coinbase" }).ok).toBe(true);
    expect(g.admit({ ...tick, source: "kraken" }).ok).toBe(true);
    expect(g.admit(tick).ok).toBe(true);
    const ticks = series("binance", Array(10).fill(98_000_000));
    expect(ticks.map((t) => g.admit(t)).filter((verdict) => verdict.ok)).toEqual([]);
  });
});
