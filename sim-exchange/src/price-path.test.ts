import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { Market } from "./market";
import { PAST_HOURS, PricePath, type Bar } from "./price-path";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const ANCHOR = Date.UTC(2026, 11, 3, 14, 37, 12, 345);
const options = { price: 98_400, anchorMs: ANCHOR, sigmaPerMinute: 0.0011, volumePerMinute: 10, seed: 5 };

const stdOfLogReturns = (bars: readonly Bar[]) => {
  const returns = bars.map((bar) => Math.log(bar.close / bar.open));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
};

describe("PricePath", () => {
  it("draws a past that ends exactly at the anchor's price, each minute opening at the last one's close, and the live bars go on from there", () => {
    const path = new PricePath(options);
    const past = path.bars(MINUTE, ANCHOR - 3 * HOUR, ANCHOR);
    // 11:38 to 14:36: the minute of the anchor is live.
    expect(past.length).toBe(179);
    for (let i = 1; i < past.length; i++) expect(past[i]!.open).toBe(past[i - 1]!.close);
    expect(past.at(-1)!.openTime).toBe(path.liveFrom - MINUTE);
    expect(past.at(-1)!.close).toBe(98_400);
    for (const bar of past) expect(bar.high >= Math.max(bar.open, bar.close) && bar.low <= Math.min(bar.open, bar.close)).toBe(true);
    path.record(98_500, ANCHOR + 1_000);
    path.record(98_300, ANCHOR + 2_000);
    expect(path.minute(path.liveFrom)).toMatchObject({ open: 98_400, high: 98_500, low: 98_300, close: 98_300, trades: 2 });
  });

  it("gives any bar alone the same as drawn with the rest, and larger bars as their minutes folded", () => {
    const path = new PricePath(options);
    const again = new PricePath(options);
    const hourStart = Math.floor(ANCHOR / HOUR) * HOUR - 30 * HOUR;
    const minutes = path.bars(MINUTE, hourStart, hourStart + HOUR - 1);
    expect(again.minute(hourStart + 17 * MINUTE)).toEqual(minutes[17]);
    const [hour] = path.bars(HOUR, hourStart, hourStart);
    expect(hour).toMatchObject({
      openTime: hourStart,
      open: minutes[0]!.open,
      close: minutes[59]!.close,
      high: Math.max(...minutes.map((m) => m.high)),
      low: Math.min(...minutes.map((m) => m.low)),
    });
    const [fiveMinutes] = path.bars(5 * MINUTE, hourStart + 10 * MINUTE, hourStart + 10 * MINUTE);
    expect(fiveMinutes).toMatchObject({ open: minutes[10]!.open, close: minutes[14]!.close });
    expect(path.bars(86_400_000, 0, ANCHOR).length).toBeGreaterThanOrEqual(730);
    expect(PAST_HOURS).toBeGreaterThanOrEqual(2 * 8_760);
  });

  it("leaves a hole where the exchange did not trade, in minutes and in the bars made of them", () => {
    const hour = Math.floor(ANCHOR / HOUR) * HOUR - 5 * HOUR;
    const path = new PricePath({ ...options, outages: [{ fromMs: hour, toMs: hour + HOUR }] });
    expect(path.bars(MINUTE, hour - 2 * MINUTE, hour + HOUR + MINUTE).map((bar) => bar.openTime)).toEqual([
      hour - 2 * MINUTE,
      hour - MINUTE,
      hour + HOUR,
      hour + HOUR + MINUTE,
    ]);
    expect(path.bars(HOUR, hour - HOUR, hour + HOUR).map((bar) => bar.openTime)).toEqual([hour - HOUR, hour + HOUR]);
  });

  it("moves in the past as the live market does: the spread of minute returns is the volatility asked for", () => {
    const path = new PricePath(options);
    const std = stdOfLogReturns(path.bars(MINUTE, ANCHOR - 2 * 86_400_000, ANCHOR));
    expect(std).toBeGreaterThan(0.0011 * 0.85);
    expect(std).toBeLessThan(0.0011 * 1.15);
  });
});

describe("Market's moves", () => {
  it("are as large as a real market's by default and thirty times larger at speed 30, live and in the past", () => {
    for (const speed of [1, 30]) {
      const clock = new FakeClock(ANCHOR);
      const market = new Market({ symbols: ["btc"], seed: 3, speed, clock });
      for (let i = 0; i < 3_000; i++) {
        clock.advance(1_000);
        market.step();
      }
      const btc = market.coins.get("btc")!;
      const expected = 0.8 * speed * Math.sqrt(MINUTE / (365.25 * 86_400_000));
      const live = stdOfLogReturns(btc.path.bars(MINUTE, btc.path.liveFrom + MINUTE, clock.now() - MINUTE));
      const past = stdOfLogReturns(btc.path.bars(MINUTE, ANCHOR - 86_400_000, ANCHOR));
      expect(live / expected).toBeGreaterThan(0.75);
      expect(live / expected).toBeLessThan(1.25);
      expect(past / expected).toBeGreaterThan(0.85);
      expect(past / expected).toBeLessThan(1.15);
    }
  });

  it("draws a new market on every start unless given a seed, and starts from the prices it is handed", () => {
    const prices = () => {
      const market = new Market({ symbols: ["btc"], clock: new FakeClock(ANCHOR) });
      market.step();
      return market.coins
        .get("btc")!
        .path.bars(HOUR, ANCHOR - 5 * HOUR, ANCHOR)
        .map((bar) => bar.close);
    };
    expect(prices()).not.toEqual(prices());
    const market = new Market({ symbols: ["btc", "eth"], startPrices: { btc: 61_234.5 }, clock: new FakeClock(ANCHOR) });
    expect(market.coins.get("btc")!.price).toBe(61_234.5);
    expect(market.coins.get("eth")!.price).toBe(3_410);
  });
});
