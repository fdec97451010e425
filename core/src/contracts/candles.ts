import type { SequencedTick } from "./tick";

/** Candle intervals, each aligned to UTC boundaries of the ticks' event time (`ts`). */
export const CANDLE_INTERVALS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 } as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/**
 * How far behind the newest event time a tick may be and still count: a candle closes once a
 * tick of any symbol is this much past its end, in stream order. A tick for a closed candle is late.
 */
export const CANDLE_LATENESS_MS = 5_000;

/** One OHLC bar of one symbol. */
export interface Candle {
  symbol: string;
  interval: CandleInterval;
  /** Start of the bar, ms since epoch, a multiple of the interval (UTC). */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Ticks folded into it. */
  ticks: number;
  /** `PRICES` seqs of its first and last tick. */
  firstSeq: number;
  lastSeq: number;
  /** `ticks`: computed from `PRICES`; otherwise the exchange it was backfilled from. */
  source: "ticks" | "binance" | "coingecko";
}

/** Start of the `interval` bar that holds `ts`. */
export function candleOpenTime(ts: number, interval: CandleInterval): number {
  const length = CANDLE_INTERVALS[interval];
  return ts - (((ts % length) + length) % length);
}

/**
 * Folds ticks, read from `PRICES` in seq order, into candles of every interval. What it
 * returns is a function of the ticks alone: the same ticks in the same order give the same
 * candles, whenever and wherever they are folded. A tick at or below the last seq folded is a
 * redelivery and changes nothing; a tick whose bar has closed is late: counted, in no candle.
 */
export class CandleAggregator {
  private readonly forming = new Map<string, Candle>();
  /** Newest event time folded, of any symbol: candles end by it, not by any clock. */
  private watermark = -Infinity;
  private lastSeq = 0;
  /** Late ticks seen, by symbol. */
  readonly late = new Map<string, number>();

  constructor(private readonly intervals: readonly CandleInterval[] = Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {}

  /** Folds one tick; returns the candles it closed, oldest first. */
  add(tick: SequencedTick): Candle[] {
    if (tick.seq <= this.lastSeq) return [];
    this.lastSeq = tick.seq;
    this.watermark = Math.max(this.watermark, tick.ts);
    const closed = this.closeUpTo(this.watermark - CANDLE_LATENESS_MS);
    for (const interval of this.intervals) {
      const ended = this.fold(tick, interval);
      if (ended) closed.push(ended);
    }
    return closed.sort(byOpenTimeThenSeq);
  }

  /** The candles still forming, for a live chart or a checkpoint. */
  formingCandles(): Candle[] {
    return [...this.forming.values()].map((candle) => ({ ...candle }));
  }

  /** Seq of the last tick folded. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Folds a tick into its bar; returns the symbol's previous bar when the tick starts a newer one. */
  private fold(tick: SequencedTick, interval: CandleInterval): Candle | undefined {
    const openTime = candleOpenTime(tick.ts, interval);
    const key = `${interval}|${tick.symbol}`;
    const candle = this.forming.get(key);
    if (candle && candle.openTime === openTime) {
      candle.high = Math.max(candle.high, tick.price);
      candle.low = Math.min(candle.low, tick.price);
      candle.close = tick.price;
      candle.ticks++;
      candle.lastSeq = tick.seq;
      return undefined;
    }
    // Its bar is behind the one forming, or was closed by the watermark: late.
    if ((candle && openTime < candle.openTime) || openTime + CANDLE_INTERVALS[interval] <= this.watermark - CANDLE_LATENESS_MS) {
      if (interval === this.intervals[0]) this.late.set(tick.symbol, (this.late.get(tick.symbol) ?? 0) + 1);
      return undefined;
    }
    const price = tick.price;
    this.forming.set(key, {
      symbol: tick.symbol,
      interval,
      openTime,
      open: price,
      high: price,
      low: price,
      close: price,
      ticks: 1,
      firstSeq: tick.seq,
      lastSeq: tick.seq,
      source: "ticks",
    });
    return candle;
  }

  /** Closes every forming candle that ended at or before `time`. */
  private closeUpTo(time: number): Candle[] {
    const closed: Candle[] = [];
    for (const [key, candle] of this.forming) {
      if (candle.openTime + CANDLE_INTERVALS[candle.interval] > time) continue;
      closed.push(candle);
      this.forming.delete(key);
    }
    return closed;
  }
}

function byOpenTimeThenSeq(a: Candle, b: Candle): number {
  return a.openTime - b.openTime || a.lastSeq - b.lastSeq || CANDLE_INTERVALS[a.interval] - CANDLE_INTERVALS[b.interval];
}
