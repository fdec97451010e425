import { z } from "zod";
import { SYMBOL_PATTERN } from "./names";
import type { SequencedTick } from "./tick";

/** Candle intervals, each aligned to UTC boundaries of the ticks' event time (`ts`). */
export const CANDLE_INTERVALS = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "1d": 86_400_000 } as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/**
 * How long a bar waits for stragglers: it closes once a tick of any symbol, in stream order, has
 * an event time this far past its end (or at once when its own symbol starts a newer bar). A
 * tick for a bar that has closed is late.
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

/** JetStream stream that keeps every closed candle, one message per candle. */
export const CANDLES_STREAM = "CANDLES";
/** Subject prefix of closed candles: `candles.<interval>.<symbol>`. */
export const CANDLE_SUBJECT_PREFIX = "candles";
/** Wildcard that matches every candle subject. */
export const CANDLE_SUBJECTS = `${CANDLE_SUBJECT_PREFIX}.>`;
/**
 * Candles kept per subject: two years of 1h bars, which is also 60.8 days of 5m, 12.2 days of
 * 1m and all of 1d for 48 years (a stream has one per-subject limit).
 */
export const CANDLES_PER_SUBJECT = 17_520;

export function candleSubject(interval: CandleInterval, symbol: string): string {
  return `${CANDLE_SUBJECT_PREFIX}.${interval}.${symbol}`;
}

/** The `Nats-Msg-Id` of a candle: one message per interval, symbol and bar, however often it is published. */
export function candleMsgId(candle: Pick<Candle, "interval" | "symbol" | "openTime">): string {
  return `${candle.interval}:${candle.symbol}:${candle.openTime}`;
}

export function isCandleInterval(value: string): value is CandleInterval {
  return Object.hasOwn(CANDLE_INTERVALS, value);
}

const price = z.number().finite().positive();

/** The schema of a stored candle, checked where candles are read from `CANDLES`. */
export const CandleSchema = z
  .object({
    symbol: z.string().regex(SYMBOL_PATTERN),
    interval: z.enum(Object.keys(CANDLE_INTERVALS) as [CandleInterval, ...CandleInterval[]]),
    openTime: z.number().int(),
    open: price,
    high: price,
    low: price,
    close: price,
    ticks: z.number().int().nonnegative(),
    firstSeq: z.number().int().nonnegative(),
    lastSeq: z.number().int().nonnegative(),
    source: z.enum(["ticks", "binance", "coingecko"]),
  })
  .refine((c) => c.openTime === candleOpenTime(c.openTime, c.interval), "openTime: must be a boundary of the interval")
  .refine((c) => c.low <= Math.min(c.open, c.close) && c.high >= Math.max(c.open, c.close), "low and high must bound open and close");

/** Parses and checks a candle as it is stored on a `candles.<interval>.<symbol>` subject. */
export function decodeCandle(payload: string): { ok: true; candle: Candle } | { ok: false; message: string } {
  try {
    const result = CandleSchema.safeParse(JSON.parse(payload));
    if (result.success) return { ok: true, candle: result.data };
    return { ok: false, message: result.error.issues.map((issue) => `${issue.path.join(".") || "candle"}: ${issue.message}`).join("; ") };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Start of the `interval` bar that holds `ts`. */
export function candleOpenTime(ts: number, interval: CandleInterval): number {
  const length = CANDLE_INTERVALS[interval];
  return ts - (((ts % length) + length) % length);
}

/** Where folding takes up again: the last stored candle of each interval and symbol, and the forming ones. */
export interface CandleFoldState {
  /** The last closed candle of each interval and symbol: its bar and every tick at or below its `lastSeq` are done. */
  closed?: Iterable<Candle>;
  /** Candles still forming (a live chart's starting point). */
  forming?: Iterable<Candle>;
}

interface KeyState {
  /** Open time of the last bar closed; a tick for it or an older bar is late. */
  closedOpenTime: number;
  /** Ticks at or below this seq are in a stored candle or were late: skipped. */
  doneSeq: number;
  forming: Candle | undefined;
}

/**
 * Folds ticks, read from `PRICES` in seq order, into candles of every interval. What it
 * returns is a function of the ticks alone: the same ticks in the same order give the same
 * candles, whenever and wherever they are folded.
 *
 * A bar's state depends only on its symbol's ticks and on when bars close, so a fold can be taken
 * up from the last stored candle of each interval and symbol: reading again from the oldest of
 * their `lastSeq`s gives what one uninterrupted fold gives. A tick at or below the last seq folded
 * is a redelivery and changes nothing; a tick whose bar has closed is late: counted, in no candle.
 */
export class CandleAggregator {
  /** Each symbol's state per interval (one lookup per tick). */
  private readonly symbols = new Map<string, Partial<Record<CandleInterval, KeyState>>>();
  /** Forming candles by the end of their bar, to close them without looking at every one. */
  private readonly byEnd = new Map<number, Set<Candle>>();
  private lastSeq = 0;
  /** Late ticks seen, by symbol (counted once, not per interval). */
  readonly late = new Map<string, number>();
  /** Late ticks seen, over every symbol. */
  lateTotal = 0;

  constructor(
    private readonly intervals: readonly CandleInterval[] = Object.keys(CANDLE_INTERVALS) as CandleInterval[],
    state: CandleFoldState = {},
  ) {
    for (const candle of state.closed ?? []) {
      this.keyState(candle.interval, candle.symbol).closedOpenTime = candle.openTime;
      this.keyState(candle.interval, candle.symbol).doneSeq = candle.lastSeq;
    }
    for (const candle of state.forming ?? []) this.startForming(this.keyState(candle.interval, candle.symbol), { ...candle });
  }

  /** Folds one tick; returns the candles it closed, oldest first. */
  add(tick: SequencedTick): Candle[] {
    if (tick.seq <= this.lastSeq) return [];
    this.lastSeq = tick.seq;
    const closed = this.closeUpTo(tick.ts - CANDLE_LATENESS_MS);
    let late = false;
    for (const interval of this.intervals) {
      const outcome = this.fold(tick, interval, this.keyState(interval, tick.symbol));
      if (outcome === "late") late = true;
      else if (outcome) closed.push(outcome);
    }
    if (late) {
      this.late.set(tick.symbol, (this.late.get(tick.symbol) ?? 0) + 1);
      this.lateTotal++;
    }
    return closed.sort(byOpenTimeThenSeq);
  }

  /** The candles still forming, for a live chart or an API. */
  formingCandles(): Candle[] {
    return [...this.symbols.values()].flatMap((states) => Object.values(states).flatMap((state) => (state.forming ? [{ ...state.forming }] : [])));
  }

  /** The candle forming for one interval and symbol. */
  formingCandle(interval: CandleInterval, symbol: string): Candle | undefined {
    const forming = this.symbols.get(symbol)?.[interval]?.forming;
    return forming && { ...forming };
  }

  /** Seq of the last tick folded. */
  get seq(): number {
    return this.lastSeq;
  }

  private statesOf(symbol: string): Partial<Record<CandleInterval, KeyState>> {
    let states = this.symbols.get(symbol);
    if (!states) {
      states = {};
      this.symbols.set(symbol, states);
    }
    return states;
  }

  private keyState(interval: CandleInterval, symbol: string): KeyState {
    const states = this.statesOf(symbol);
    let state = states[interval];
    if (!state) {
      state = newKeyState();
      states[interval] = state;
    }
    return state;
  }

  /** Folds a tick into its bar; returns the symbol's previous bar when the tick starts a newer one. */
  private fold(tick: SequencedTick, interval: CandleInterval, state: KeyState): Candle | "late" | undefined {
    if (tick.seq <= state.doneSeq) return undefined;
    const openTime = candleOpenTime(tick.ts, interval);
    const candle = state.forming;
    if (candle && candle.openTime === openTime) {
      candle.high = Math.max(candle.high, tick.price);
      candle.low = Math.min(candle.low, tick.price);
      candle.close = tick.price;
      candle.ticks++;
      candle.lastSeq = tick.seq;
      return undefined;
    }
    if (openTime <= state.closedOpenTime || (candle && openTime < candle.openTime)) return "late";
    if (candle) this.close(state);
    const price = tick.price;
    this.startForming(state, {
      ...{ symbol: tick.symbol, interval, openTime, open: price, high: price, low: price, close: price },
      ...{ ticks: 1, firstSeq: tick.seq, lastSeq: tick.seq, source: "ticks" },
    });
    return candle;
  }

  private startForming(state: KeyState, candle: Candle): void {
    state.forming = candle;
    const end = candle.openTime + CANDLE_INTERVALS[candle.interval];
    const ending = this.byEnd.get(end) ?? new Set<Candle>();
    ending.add(candle);
    this.byEnd.set(end, ending);
  }

  private close(state: KeyState): void {
    const candle = state.forming!;
    state.forming = undefined;
    state.closedOpenTime = candle.openTime;
    const end = candle.openTime + CANDLE_INTERVALS[candle.interval];
    const ending = this.byEnd.get(end)!;
    ending.delete(candle);
    if (ending.size === 0) this.byEnd.delete(end);
  }

  /** Closes every forming candle that ended at or before `time`. */
  private closeUpTo(time: number): Candle[] {
    const closed: Candle[] = [];
    for (const [end, ending] of this.byEnd) {
      if (end > time) continue;
      for (const candle of ending) {
        this.close(this.keyState(candle.interval, candle.symbol));
        closed.push(candle);
      }
    }
    return closed;
  }
}

function newKeyState(): KeyState {
  return { closedOpenTime: Number.NEGATIVE_INFINITY, doneSeq: 0, forming: undefined };
}

function byOpenTimeThenSeq(a: Candle, b: Candle): number {
  return a.openTime - b.openTime || a.lastSeq - b.lastSeq || CANDLE_INTERVALS[a.interval] - CANDLE_INTERVALS[b.interval];
}
