import { describe, expect, it } from "vitest";
import { CANDLE_INTERVALS, CANDLE_LATENESS_MS, CandleAggregator, candleOpenTime, type Candle, type CandleInterval } from "./candles";
import type { SequencedTick } from "./tick";

const MIDNIGHT = Date.UTC(2026, 11, 3);
const tick = (symbol: string, seq: number, ts: number, price: number): SequencedTick => ({ symbol, price, ts, source: "binance", seq });

describe("candleOpenTime", () => {
  it("aligns every interval to UTC boundaries of the event time", () => {
    expect(candleOpenTime(MIDNIGHT + 59_999, "1m")).toBe(MIDNIGHT);
    expect(candleOpenTime(MIDNIGHT + 60_000, "1m")).toBe(MIDNIGHT + 60_000);
    expect(candleOpenTime(MIDNIGHT + 4 * 60_000 + 1, "5m")).toBe(MIDNIGHT);
    expect(candleOpenTime(MIDNIGHT + 23 * 3_600_000 + 5, "1h")).toBe(MIDNIGHT + 23 * 3_600_000);
    expect(candleOpenTime(MIDNIGHT - 1, "1d")).toBe(MIDNIGHT - 86_400_000);
  });
});

describe("CandleAggregator", () => {
  it("folds open, high, low, close, count and seqs, and closes a bar once the stream's event time is past its end and the lateness", () => {
    const candles = new CandleAggregator(["1m"]);
    expect(candles.add(tick("btc", 1, MIDNIGHT + 1_000, 100))).toEqual([]);
    candles.add(tick("btc", 2, MIDNIGHT + 20_000, 104));
    candles.add(tick("btc", 3, MIDNIGHT + 40_000, 97));
    candles.add(tick("btc", 4, MIDNIGHT + 59_999, 101));
    // Another symbol's tick moves event time on: not yet past the end plus the lateness.
    expect(candles.add(tick("eth", 5, MIDNIGHT + 60_000 + CANDLE_LATENESS_MS - 1, 3_000))).toEqual([]);
    const closed = candles.add(tick("eth", 6, MIDNIGHT + 60_000 + CANDLE_LATENESS_MS, 3_001));
    expect(closed).toEqual([
      { symbol: "btc", interval: "1m", openTime: MIDNIGHT, open: 100, high: 104, low: 97, close: 101, ticks: 4, firstSeq: 1, lastSeq: 4, source: "ticks" },
    ]);
    expect(candles.formingCandles().map((c) => [c.symbol, c.openTime, c.ticks])).toEqual([["eth", MIDNIGHT + 60_000, 2]]);
  });

  it("closes a symbol's bar at once when its own next tick starts a newer one", () => {
    const candles = new CandleAggregator(["1m", "5m"]);
    candles.add(tick("btc", 1, MIDNIGHT + 59_000, 100));
    const closed = candles.add(tick("btc", 2, MIDNIGHT + 60_500, 101));
    expect(closed.map((c) => [c.interval, c.openTime, c.close])).toEqual([["1m", MIDNIGHT, 100]]);
  });

  it("ignores a redelivered tick, and counts a late one (its bar closed) in no candle", () => {
    const candles = new CandleAggregator(["1m"]);
    candles.add(tick("btc", 1, MIDNIGHT + 1_000, 100));
    candles.add(tick("btc", 2, MIDNIGHT + 2_000, 102));
    expect(candles.add(tick("btc", 2, MIDNIGHT + 2_000, 102))).toEqual([]);
    expect(candles.add(tick("btc", 1, MIDNIGHT + 1_000, 100))).toEqual([]);
    const [closed] = candles.add(tick("btc", 3, MIDNIGHT + 70_000, 103));
    expect(closed).toMatchObject({ ticks: 2, firstSeq: 1, lastSeq: 2 });
    // In the bar that just closed: late.
    expect(candles.add(tick("btc", 4, MIDNIGHT + 30_000, 999))).toEqual([]);
    expect(candles.late.get("btc")).toBe(1);
    expect(candles.lateTotal).toBe(1);
    expect(candles.formingCandles()).toMatchObject([{ openTime: MIDNIGHT + 60_000, ticks: 1, high: 103 }]);
  });

  it("counts as late a tick for a bar the stream's event time closed, though its symbol had no newer tick", () => {
    const candles = new CandleAggregator(["1m"]);
    candles.add(tick("btc", 1, MIDNIGHT + 1_000, 100));
    expect(candles.add(tick("eth", 2, MIDNIGHT + 70_000, 3_000)).map((c) => c.symbol)).toEqual(["btc"]);
    expect(candles.add(tick("btc", 3, MIDNIGHT + 30_000, 101))).toEqual([]);
    expect(candles.late.get("btc")).toBe(1);
    expect(candles.formingCandles().map((c) => c.symbol)).toEqual(["eth"]);
  });

  it("gives the same candles as a recomputation from the ticks, however the reading is cut and resumed", () => {
    const ticks = seededTicks(5_000, 7);
    const whole = new CandleAggregator();
    const closed = ticks.flatMap((t) => whole.add(t));
    // A reader that crashed at seq 2,000 and read everything again from seq 1, redeliveries included.
    const resumed = new CandleAggregator();
    const again = [...ticks.slice(0, 2_000), ...ticks].flatMap((t) => resumed.add(t));
    expect(again).toEqual(closed);

    // The recomputation: every tick grouped by symbol, interval and bar, the bars that ended long enough before the last tick.
    const expected = new Map<string, Candle>();
    for (const interval of Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {
      for (const t of ticks) {
        const openTime = candleOpenTime(t.ts, interval);
        const key = `${interval}|${t.symbol}|${openTime}`;
        const c = expected.get(key);
        if (!c)
          expected.set(key, {
            symbol: t.symbol,
            interval,
            openTime,
            open: t.price,
            high: t.price,
            low: t.price,
            close: t.price,
            ticks: 1,
            firstSeq: t.seq,
            lastSeq: t.seq,
            source: "ticks",
          });
        else Object.assign(c, { high: Math.max(c.high, t.price), low: Math.min(c.low, t.price), close: t.price, ticks: c.ticks + 1, lastSeq: t.seq });
      }
    }
    const key = (c: Candle) => `${c.interval}|${c.symbol}|${c.openTime}`;
    expect(closed.length).toBeGreaterThan(100);
    for (const candle of closed) expect(candle).toEqual(expected.get(key(candle)));
    const formingKeys = new Set(whole.formingCandles().map(key));
    expect(closed.length + formingKeys.size).toBe(expected.size);
  });

  it("takes up a fold from the last stored candle of each interval and symbol and gives what one uninterrupted fold gives, late ticks included", () => {
    const ticks = seededTicks(6_000, 11, 0.05);
    const whole = new CandleAggregator();
    const closed = ticks.flatMap((t) => whole.add(t));
    expect([...whole.late.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    for (const cut of [1, 37, Math.floor(closed.length / 2), closed.length - 1]) {
      // A writer that stored the first `cut` candles, then died: per subject, the last it stored.
      const stored = new Map<string, Candle>();
      for (const candle of closed.slice(0, cut)) stored.set(`${candle.interval}|${candle.symbol}`, candle);
      const everyKeyStored = stored.size === new Set(closed.map((c) => `${c.interval}|${c.symbol}`)).size;
      const from = everyKeyStored ? Math.min(...[...stored.values()].map((c) => c.lastSeq + 1)) : 1;
      const resumed = new CandleAggregator(undefined, { closed: stored.values() });
      const after = ticks.filter((t) => t.seq >= from).flatMap((t) => resumed.add(t));
      expect([...closed.slice(0, cut), ...after]).toEqual(closed);
      const byKey = (a: Candle, b: Candle) => `${a.interval}|${a.symbol}`.localeCompare(`${b.interval}|${b.symbol}`);
      expect(resumed.formingCandles().sort(byKey)).toEqual(whole.formingCandles().sort(byKey));
    }
  });

  it("reads the ticks of a stored candle again without counting them late", () => {
    const ticks = [tick("btc", 1, MIDNIGHT + 1_000, 100), tick("btc", 2, MIDNIGHT + 2_000, 101), tick("btc", 3, MIDNIGHT + 61_000, 102)];
    const stored: Candle = {
      symbol: "btc",
      interval: "1m",
      openTime: MIDNIGHT,
      open: 100,
      high: 101,
      low: 100,
      close: 101,
      ticks: 2,
      firstSeq: 1,
      lastSeq: 2,
      source: "ticks",
    };
    const resumed = new CandleAggregator(["1m"], { closed: [stored] });
    expect(ticks.flatMap((t) => resumed.add(t))).toEqual([]);
    expect(resumed.late.size).toBe(0);
    expect(resumed.formingCandle("1m", "btc")).toMatchObject({ openTime: MIDNIGHT + 60_000, firstSeq: 3 });
    expect(resumed.add(tick("btc", 4, MIDNIGHT + 30_000, 1))).toEqual([]);
    expect(resumed.late.get("btc")).toBe(1);
  });

  it("closes many bars at once, by their end, and keeps a forming candle handed to it", () => {
    const candles = new CandleAggregator(["1m"], {
      forming: [{ symbol: "btc", interval: "1m", openTime: MIDNIGHT, open: 1, high: 2, low: 1, close: 2, ticks: 2, firstSeq: 1, lastSeq: 2, source: "ticks" }],
    });
    candles.add(tick("btc", 3, MIDNIGHT + 10_000, 3));
    for (let i = 0; i < 50; i++) candles.add(tick(`c${i}`, 4 + i, MIDNIGHT + 20_000, i));
    const closed = candles.add(tick("eth", 100, MIDNIGHT + 60_000 + CANDLE_LATENESS_MS, 1));
    expect(closed).toHaveLength(51);
    expect(closed[0]).toMatchObject({ symbol: "btc", open: 1, high: 3, close: 3, ticks: 3, firstSeq: 1, lastSeq: 3 });
    expect(candles.formingCandle("1m", "eth")).toMatchObject({ openTime: MIDNIGHT + 60_000, ticks: 1 });
  });
});

/** Seeded ticks of three symbols, mostly in event-time order; `lateShare` of them up to 30 s behind. */
function seededTicks(count: number, seed: number, lateShare = 0): SequencedTick[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const ticks: SequencedTick[] = [];
  let ts = MIDNIGHT - 3_600_000;
  for (let seq = 1; seq <= count; seq++) {
    ts += Math.floor(random() * 4_000);
    const behind = random() < lateShare ? Math.floor(random() * 30_000) : 0;
    ticks.push(tick(["btc", "eth", "sol"][Math.floor(random() * 3)]!, seq, ts - behind, 100 + Math.round(random() * 1_000) / 10));
  }
  return ticks;
}
