import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { HOLD_LIMIT } from "./held-ticks";
import { HELD, TAKE_BACK_TICKS, TickGate, UNCHANGED, inTsOrder } from "./tick-gate";

const start = 1_763_800_000_000;
const tick = { symbol: "btc", price: 98_000, ts: start - 1_000, source: "binance" };
const setup = () => {
  const clock = new FakeClock(start);
  return { clock, gate: new TickGate({ maxPriceJump: 0.5, maxFutureMs: 30_000, maxAgeMs: 600_000 }, clock) };
};
const gate = () => setup().gate;
/** The venue's ticks one second apart from `from` on, one per price. */
const series = (source: string, prices: number[], from = tick.ts + 1) => prices.map((price, i) => ({ ...tick, source, price, ts: from + i * 1_000 }));
/** A gate that took binance's `price` (held with nothing to judge it by, then confirmed by the venue's next tick). */
const confirmedAt = (g: TickGate, price = tick.price) => {
  expect(g.admit({ ...tick, ts: tick.ts - 2, price })).toMatchObject({ ok: false, reason: HELD });
  expect(g.admit({ ...tick, ts: tick.ts - 1, price })).toMatchObject({ ok: true, released: [{ ts: tick.ts - 2, price }] });
  return g;
};

describe("TickGate", () => {
  it("admits valid ticks in order, drops an older one and skips a repeat, per symbol and source", () => {
    const g = confirmedAt(gate());
    expect(g.admit(tick).ok).toBe(true);
    expect(g.admit({ ...tick, ts: tick.ts + 1 }).ok).toBe(true);
    expect(g.admit(tick)).toMatchObject({ ok: false, reason: "out_of_order" });
    expect(g.admit({ ...tick, ts: tick.ts + 1 })).toMatchObject({ ok: false, reason: UNCHANGED });
    expect(g.admit({ ...tick, source: "coingecko" }).ok).toBe(true);
    expect(g.admit({ ...tick, symbol: "eth", price: 3_400 })).toMatchObject({ ok: false, reason: HELD });
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
    const g = confirmedAt(gate());
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_000_000 })).toMatchObject({ ok: false, reason: "price_jump" });
    expect(g.admit({ ...tick, ts: tick.ts + 2, price: 40_000 })).toMatchObject({ ok: false, reason: "price_jump" });
    expect(g.admit({ ...tick, ts: tick.ts + 3, price: 99_000 }).ok).toBe(true);
  });

  it.each([
    ["a thousand times", 98_000_000],
    ["a thousandth", 98],
  ])("refuses a venue's first price at %s the other venues' as off_market, and takes its true price", (_, bad) => {
    const g = gate();
    expect(g.admit({ ...tick, source: "coinbase" })).toMatchObject({ ok: false, reason: HELD });
    expect(g.admit({ ...tick, source: "kraken", price: 98_100 })).toMatchObject({ ok: true, released: [{ source: "coinbase" }] });
    expect(g.admit({ ...tick, price: bad })).toMatchObject({ ok: false, reason: "off_market" });
    // The refused price is nobody's evidence: the venue's true price passes at once.
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_050 }).ok).toBe(true);
  });

  it("refuses a first price far from the last reference price when no other source is fresh, and CoinGecko's counts with another", () => {
    const { gate: g } = setup();
    g.noteReference("btc", 98_000);
    expect(g.admit({ ...tick, price: 98_000_000 })).toMatchObject({ ok: false, reason: "off_market" });
    const { gate: h } = setup();
    expect(h.admit({ ...tick, source: "coingecko" })).toMatchObject({ ok: false, reason: HELD });
    expect(h.admit({ ...tick, source: "kraken", price: 97_900 }).ok).toBe(true);
    expect(h.admit({ ...tick, price: 98 })).toMatchObject({ ok: false, reason: "off_market" });
  });

  it("holds a first price with nothing to judge it by until a price agrees, and leaves one venue against one other to the reference", () => {
    const g = gate();
    expect(g.admit({ ...tick, source: "kraken", price: 98_000_000 })).toMatchObject({ ok: false, reason: HELD });
    expect(g.admit({ ...tick, source: "coinbase" })).toMatchObject({ ok: false, reason: HELD });
    // Binance agrees with Coinbase's held price: both are taken; Kraken's stays held.
    expect(g.admit(tick)).toMatchObject({ ok: true, tick: { source: "binance" }, released: [{ source: "coinbase" }] });
    expect(g.admit({ ...tick, source: "bitstamp", price: 98_000_000 })).toMatchObject({ ok: false, reason: "off_market" });
    // One other venue alone cannot tell which of the two is wrong: taken, for the reference to judge.
    const h = confirmedAt(gate());
    expect(h.admit({ ...tick, source: "kraken", price: 98_000_000 }).ok).toBe(true);
  });

  it("publishes held prices once, before the tick that confirms them, drops those it contradicts, and skips a repeat of one", () => {
    const g = gate();
    const bad = { ...tick, price: 98_000_000 };
    const good = [
      { ...tick, ts: tick.ts + 1 },
      { ...tick, ts: tick.ts + 2, price: 98_200 },
    ] as const;
    expect(g.admit(bad)).toMatchObject({ ok: false, reason: HELD });
    expect(g.admit({ ...bad })).toMatchObject({ ok: false, reason: UNCHANGED });
    // Two prices, nothing to tell which is right: both held.
    expect(g.admit(good[0])).toMatchObject({ ok: false, reason: HELD });
    const verdict = g.admit(good[1]);
    expect(verdict).toMatchObject({ ok: true, tick: good[1], released: [good[0]], dropped: [{ reason: "unconfirmed" }] });
    expect(g.admit({ ...tick, ts: tick.ts + 3, price: 98_300 })).toEqual({
      ok: true,
      tick: { ...tick, ts: tick.ts + 3, price: 98_300 },
      released: [],
      dropped: [],
    });
  });

  it("releases a held price newer than the one that confirms it after it, in ts order", () => {
    const g = gate();
    const [older, newer] = [
      { ...tick, ts: tick.ts + 1 },
      { ...tick, ts: tick.ts + 2 },
    ];
    expect(g.admit(newer)).toMatchObject({ ok: false, reason: HELD });
    const verdict = g.admit(older);
    expect(verdict.ok && inTsOrder(verdict.released, verdict.tick)).toEqual([older, newer]);
    expect(g.admit({ ...tick, ts: tick.ts + 1_000 }).ok).toBe(true);
    expect(g.admit(older)).toMatchObject({ ok: false, reason: "out_of_order" });
  });

  it(`holds at most ${HOLD_LIMIT} disagreeing prices of a venue, dropping the oldest as unconfirmed`, () => {
    const g = gate();
    const verdicts = series("binance", [1, 10, 100, 1_000]).map((t) => g.admit(t));
    expect(verdicts.map((v) => !v.ok && v.reason)).toEqual([HELD, HELD, HELD, "unconfirmed"]);
    expect(g.admit({ ...tick, ts: tick.ts + 10_000, price: 11 })).toMatchObject({ ok: true, released: [{ price: 10 }], dropped: [{}, {}] });
  });

  it("forgets a held price once it is older than maxAgeMs: it confirms nothing", () => {
    const { clock, gate: g } = setup();
    expect(g.admit(tick)).toMatchObject({ ok: false, reason: HELD });
    clock.advance(601_000);
    expect(g.admit({ ...tick, ts: start + 600_000 })).toMatchObject({ ok: false, reason: HELD });
  });

  it("judges a venue back after a long gap by the market, not by its own price from before the gap", () => {
    const { clock, gate: g } = setup();
    confirmedAt(g);
    clock.advance(601_000);
    g.noteReference("btc", 50_000);
    // Its own price is 10 min old: the market (the reference) decides.
    expect(g.admit({ ...tick, ts: start + 600_000, price: 51_000 }).ok).toBe(true);
  });

  it("takes a poisoned venue back at once when the market sides with its new price", () => {
    // Nothing to compare with, and the venue said the same wrong price twice: it is taken.
    const g = confirmedAt(gate(), 98_000_000);
    g.noteReference("btc", 98_000);
    expect(g.admit({ ...tick, ts: tick.ts + 1, price: 98_100 }).ok).toBe(true);
  });

  it("lets a new deployment's bad first price of a venue reach nothing, and takes the venue's true price from its second tick", () => {
    const g = gate();
    expect(g.admit({ ...tick, price: 98_000_000 })).toMatchObject({ ok: false, reason: HELD });
    expect(g.admit({ ...tick, source: "coinbase" })).toMatchObject({ ok: false, reason: HELD });
    const second = { ...tick, ts: tick.ts + 1 };
    expect(g.admit(second)).toMatchObject({ ok: true, tick: second, released: [{ source: "coinbase" }], dropped: [{ reason: "unconfirmed" }] });
  });

  it(`takes a venue back after ${TAKE_BACK_TICKS} agreeing refused ticks when nothing else speaks (a real jump), and not while they disagree`, () => {
    const g = confirmedAt(gate());
    const ticks = series("binance", [40_000, 150_000, 40_100, 40_050, 40_080]);
    expect(ticks.map((t) => g.admit(t).ok)).toEqual([false, false, false, false, true]);
    expect(g.admit({ ...tick, ts: tick.ts + 10_000, price: 40_000 }).ok).toBe(true);
  });

  it("keeps refusing a venue whose jump the market contradicts, however often it repeats it", () => {
    const g = gate();
    expect(g.admit({ ...tick, source: "coinbase" })).toMatchObject({ ok: false, reason: HELD });
    expect(g.admit({ ...tick, source: "kraken" }).ok).toBe(true);
    expect(g.admit(tick).ok).toBe(true);
    const ticks = series("binance", Array(10).fill(98_000_000));
    expect(ticks.map((t) => g.admit(t)).filter((verdict) => verdict.ok)).toEqual([]);
  });
});
