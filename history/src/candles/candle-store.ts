import { CANDLE_INTERVALS, CANDLES_PER_SUBJECT, type Candle, type CandleInterval } from "@cryptostream/core";

interface Series {
  candles: Candle[];
  /** Bumped on every change, for ETags and encoded bodies. */
  version: number;
}

/**
 * Closed candles of every interval and symbol in memory, oldest first, as many per subject as
 * `CANDLES` keeps. A candle computed from ticks replaces a backfilled one of the same bar, never
 * the other way round.
 */
export class CandleStore {
  private readonly series = new Map<string, Series>();

  constructor(private readonly perSubject = CANDLES_PER_SUBJECT) {}

  /** Adds a candle in its place by open time; says whether anything changed. */
  put(candle: Candle): boolean {
    const series = this.seriesOf(candle.interval, candle.symbol, true)!;
    const { candles } = series;
    const at = lowerBound(candles, candle.openTime);
    const existing = candles[at];
    if (existing?.openTime === candle.openTime) {
      if (existing.source === "ticks" || candle.source !== "ticks") return false;
      candles[at] = candle;
    } else {
      candles.splice(at, 0, candle);
      if (candles.length > this.perSubject) candles.splice(0, candles.length - this.perSubject);
    }
    series.version++;
    return true;
  }

  /** The newest candle of a subject. */
  last(interval: CandleInterval, symbol: string): Candle | undefined {
    return this.seriesOf(interval, symbol)?.candles.at(-1);
  }

  /** Every subject's newest candle. */
  lasts(): Candle[] {
    return [...this.series.values()].flatMap((series) => series.candles.slice(-1));
  }

  /** Candles whose bar overlaps [fromMs, untilMs], at most the newest `limit` of them, and the series' version. */
  range(interval: CandleInterval, symbol: string, fromMs: number, untilMs: number, limit: number): { candles: Candle[]; version: number } {
    const { count, version, slice } = this.window(interval, symbol, fromMs, untilMs, limit);
    return { candles: count === 0 ? [] : slice(), version };
  }

  /** What {@link range} gives, described without copying it: the first open time, how many, the version, and the copy on demand. */
  window(interval: CandleInterval, symbol: string, fromMs: number, untilMs: number, limit: number) {
    const series = this.seriesOf(interval, symbol);
    const candles = series?.candles ?? [];
    const end = lowerBound(candles, untilMs + 1);
    const start = Math.max(lowerBound(candles, fromMs - CANDLE_INTERVALS[interval] + 1), end - limit);
    const count = Math.max(0, end - start);
    return { first: candles[start]?.openTime, count, version: series?.version ?? 0, slice: () => candles.slice(start, end) };
  }

  /** The close of the newest bar that ended at or before `timeMs`, if it ended after `notBeforeMs`. */
  closeAt(interval: CandleInterval, symbol: string, timeMs: number, notBeforeMs = Number.NEGATIVE_INFINITY): number | undefined {
    const candles = this.seriesOf(interval, symbol)?.candles;
    if (!candles) return undefined;
    const candle = candles[lowerBound(candles, timeMs - CANDLE_INTERVALS[interval] + 1) - 1];
    return candle && candle.openTime + CANDLE_INTERVALS[interval] > notBeforeMs ? candle.close : undefined;
  }

  /** Whether this candle's bar is stored from the same kind of source (ticks, or a backfill). */
  holds(candle: Candle): boolean {
    const candles = this.seriesOf(candle.interval, candle.symbol)?.candles;
    const stored = candles?.[lowerBound(candles, candle.openTime)];
    return stored?.openTime === candle.openTime && (stored.source === "ticks") === (candle.source === "ticks");
  }

  has(symbol: string): boolean {
    return (Object.keys(CANDLE_INTERVALS) as CandleInterval[]).some((interval) => this.series.has(`${interval}|${symbol}`));
  }

  /** Candles held, over every subject. */
  size(): number {
    let total = 0;
    for (const series of this.series.values()) total += series.candles.length;
    return total;
  }

  private seriesOf(interval: CandleInterval, symbol: string, create = false): Series | undefined {
    const key = `${interval}|${symbol}`;
    let series = this.series.get(key);
    if (!series && create) {
      series = { candles: [], version: 0 };
      this.series.set(key, series);
    }
    return series;
  }
}

/** Index of the first candle that opens at or after `openTime`. */
function lowerBound(candles: readonly Candle[], openTime: number): number {
  let low = 0;
  let high = candles.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (candles[middle]!.openTime < openTime) low = middle + 1;
    else high = middle;
  }
  return low;
}
