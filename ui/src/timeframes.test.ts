import type { Candle, SequencedTick } from "@cryptostream/core/contracts";
import { describe, expect, it } from "vitest";
import { axisLabel, chartBars, chartViewFromSearch, searchFromChartView, withLiveTicks } from "./timeframes";

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 3, 12, 0);
const candle = (openTime: number, close: number, lastSeq: number, ticks = 3): Candle => ({
  symbol: "btc",
  interval: "1m",
  openTime,
  open: close - 1,
  high: close + 1,
  low: close - 2,
  close,
  ticks,
  firstSeq: lastSeq - ticks + 1,
  lastSeq,
  source: "ticks",
});
const tick = (seq: number, ts: number, price: number): SequencedTick => ({ symbol: "btc", seq, ts, price, source: "binance" });

describe("withLiveTicks", () => {
  it("folds live ticks after the fetched candles into the forming one, closes it when a tick starts the next bar, and folds nothing twice", () => {
    const fetched = [candle(T0, 100, 10)];
    const forming = candle(T0 + MIN, 105, 13);
    const live = [tick(12, T0 + MIN + 5_000, 999), tick(13, T0 + MIN + 9_000, 105), tick(14, T0 + MIN + 30_000, 110), tick(15, T0 + 2 * MIN + 1, 90)];
    const { closed, forming: now } = withLiveTicks(fetched, forming, live, "1m");
    expect(closed.map((c) => [c.openTime, c.close, c.high])).toEqual([
      [T0, 100, 101],
      [T0 + MIN, 110, 110],
    ]);
    expect(closed[1]).toMatchObject({ ticks: 4, lastSeq: 14 });
    expect(now).toMatchObject({ openTime: T0 + 2 * MIN, open: 90, close: 90, ticks: 1, firstSeq: 15 });
  });

  it("starts the forming bar from live ticks when the server had none", () => {
    const { closed, forming } = withLiveTicks([candle(T0, 100, 10)], null, [tick(11, T0 + MIN + 1, 101)], "1m");
    expect(closed).toHaveLength(1);
    expect(forming).toMatchObject({ openTime: T0 + MIN, open: 101 });
  });
});

describe("chartBars", () => {
  it("gives a slot for every bar of the range, empty where no candle is, so a gap is drawn as one", () => {
    const bars = chartBars([candle(T0, 100, 10), candle(T0 + 3 * MIN, 104, 20)], candle(T0 + 4 * MIN, 105, 22), "1m", T0 + 10_000, T0 + 4 * MIN + 10_000);
    expect(bars.map((b) => b.openTime)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * MIN));
    expect(bars.map((b) => b.close)).toEqual([100, null, null, 104, 105]);
    expect(bars[1]!.range).toBeNull();
    expect(bars.at(-1)!.forming).toBe(true);
    expect(bars[0]!.range).toEqual([98, 101]);
  });
});

describe("the chart's view in the URL", () => {
  it("keeps the range and mode, Live and candles by default, and ignores what it does not know", () => {
    expect(chartViewFromSearch("")).toEqual({ timeframe: "live", mode: "candles" });
    expect(chartViewFromSearch("?range=7d&chart=line")).toEqual({ timeframe: "7d", mode: "line" });
    expect(chartViewFromSearch("?range=2w")).toEqual({ timeframe: "live", mode: "candles" });
    expect(searchFromChartView({ timeframe: "30d", mode: "candles" })).toBe("?range=30d");
    expect(searchFromChartView({ timeframe: "live", mode: "candles" })).toBe("");
  });

  it("labels the axis by what suits the range", () => {
    const ts = new Date(2026, 11, 3, 9, 5).getTime();
    expect(axisLabel("1h", ts)).toBe("09:05");
    expect(axisLabel("7d", ts)).toBe("Thu 09:05");
    expect(axisLabel("30d", ts)).toBe("Dec 3");
    expect(axisLabel("1y", ts)).toBe("Dec 2026");
  });
});
