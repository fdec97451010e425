import { CANDLE_INTERVALS, CandleAggregator, candleOpenTime, type Candle, type CandleInterval, type SequencedTick } from "@cryptostream/core/contracts";

/** The coin page's ranges: Live is the last 50 ticks; the others are candles. */
export type Timeframe = "live" | "1h" | "24h" | "7d" | "30d" | "1y";
export const TIMEFRAMES: readonly Timeframe[] = ["live", "1h", "24h", "7d", "30d", "1y"];
export const TIMEFRAME_LABELS: Record<Timeframe, string> = { live: "Live", "1h": "1H", "24h": "24H", "7d": "7D", "30d": "30D", "1y": "1Y" };

/** Each candle range: how far back, in bars of which interval (a few hundred bars at most). */
export const RANGES: Record<Exclude<Timeframe, "live">, { spanMs: number; interval: CandleInterval }> = {
  "1h": { spanMs: 3_600_000, interval: "1m" },
  "24h": { spanMs: 86_400_000, interval: "5m" },
  "7d": { spanMs: 7 * 86_400_000, interval: "1h" },
  "30d": { spanMs: 30 * 86_400_000, interval: "1h" },
  "1y": { spanMs: 365 * 86_400_000, interval: "1d" },
};

export type ChartMode = "candles" | "line";

/** One slot of the chart: a bar of the range, or an empty one where no candle is (a gap, drawn as one). */
export interface ChartBar {
  openTime: number;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  /** `[low, high]`, the span a candle's wick covers; null for an empty slot. */
  range: [number, number] | null;
  forming: boolean;
}

/**
 * The candles of a range with the live ticks folded in by the server's own `CandleAggregator`:
 * the fetched closed candles, then the bars the live ticks closed, then the one forming. Only
 * ticks after the fetched candles count, so nothing is folded twice.
 */
export function withLiveTicks(
  candles: readonly Candle[],
  forming: Candle | null,
  live: readonly SequencedTick[],
  interval: CandleInterval,
): { closed: Candle[]; forming: Candle | undefined } {
  const lastClosed = candles.at(-1);
  const aggregator = new CandleAggregator([interval], { closed: lastClosed ? [lastClosed] : [], forming: forming ? [forming] : [] });
  const after = Math.max(forming?.lastSeq ?? 0, lastClosed?.lastSeq ?? 0);
  const closed: Candle[] = [];
  let symbol = forming?.symbol ?? lastClosed?.symbol;
  for (const tick of live) {
    if (tick.seq <= after) continue;
    symbol = tick.symbol;
    closed.push(...aggregator.add(tick));
  }
  return { closed: [...candles, ...closed], forming: symbol === undefined ? undefined : aggregator.formingCandle(interval, symbol) };
}

/** Every bar slot from the range's start to the newest bar, each filled from `candles` or empty. */
export function chartBars(closed: readonly Candle[], forming: Candle | undefined, interval: CandleInterval, fromMs: number, nowMs: number): ChartBar[] {
  const length = CANDLE_INTERVALS[interval];
  const byOpen = new Map([...closed, ...(forming ? [forming] : [])].map((candle) => [candle.openTime, candle]));
  const last = Math.max(candleOpenTime(nowMs, interval), forming?.openTime ?? closed.at(-1)?.openTime ?? Number.NEGATIVE_INFINITY);
  const bars: ChartBar[] = [];
  for (let openTime = candleOpenTime(fromMs, interval); openTime <= last; openTime += length) {
    const candle = byOpen.get(openTime);
    bars.push(
      candle
        ? {
            openTime,
            open: candle.open,
            high: candle.high,
            low: candle.low,
            close: candle.close,
            range: [candle.low, candle.high],
            forming: candle === forming,
          }
        : { openTime, open: null, high: null, low: null, close: null, range: null, forming: false },
    );
  }
  return bars;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Axis labels that suit the range: times for a day or less, days for weeks, months for a year. */
export function axisLabel(timeframe: Timeframe, ts: number): string {
  const date = new Date(ts);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const day = date.toLocaleDateString("en-US", { month: "short", day: "numeric" });
  if (timeframe === "live" || timeframe === "1h" || timeframe === "24h") return time;
  if (timeframe === "7d") return `${date.toLocaleDateString("en-US", { weekday: "short" })} ${time}`;
  if (timeframe === "30d") return day;
  return date.toLocaleDateString("en-US", { month: "short", year: "numeric" });
}

/** The coin page's timeframe and chart mode, kept in the URL: `?range=7d&chart=line`. */
export function chartViewFromSearch(search: string): { timeframe: Timeframe; mode: ChartMode } {
  const params = new URLSearchParams(search);
  const range = params.get("range") as Timeframe | null;
  return { timeframe: range && TIMEFRAMES.includes(range) ? range : "live", mode: params.get("chart") === "line" ? "line" : "candles" };
}

export function searchFromChartView({ timeframe, mode }: { timeframe: Timeframe; mode: ChartMode }): string {
  const params = new URLSearchParams();
  if (timeframe !== "live") params.set("range", timeframe);
  if (mode !== "candles") params.set("chart", mode);
  const text = params.toString();
  return text ? `?${text}` : "";
}
