import { DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import {
  CANDLE_INTERVALS,
  PRICES_STREAM,
  CandleAggregator,
  StreamFollower,
  backoffDelay,
  decodeTick,
  sleep,
  symbolFromSubject,
  systemClock,
  visitTickWindow,
  type Candle,
  type CandleInterval,
  type Clock,
  type Logger,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";
import type { CandleSink } from "./candle-publisher";
import type { CandleStore } from "./candle-store";

export interface CandleFoldOptions {
  nc: NatsConnection;
  /** Takes each closed candle (see `CandlePublisher`). */
  publisher: CandleSink;
  /** The first tick of each symbol the fold meets in this run (where a backfill ends). */
  onSymbol?: (symbol: string, firstTickTs: number) => void;
  /** `CANDLES` as it stands, read to the end (see `followCandles`): where the fold takes up. */
  store: CandleStore;
  logger: Logger;
  clock?: Clock;
  onLate?: (symbol: string) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

export interface CandleFold {
  /** The candle still forming for one interval and symbol. */
  forming(interval: CandleInterval, symbol: string): Candle | undefined;
  /** Seq of the last tick folded, every candle it closed stored. */
  foldedSeq(): number;
  /** Whether the fold has stopped while `PRICES` grows. */
  isStalled(): boolean;
  stop(): Promise<void>;
}

/**
 * Folds `PRICES` into candles and hands each closed one to its sink: the writer's publishes it to
 * `CANDLES` with a `Nats-Msg-Id` of its interval, symbol and bar, a reader's drops it (the
 * writer's copy comes through `CANDLES`; a reader keeps only the forming candles). It keeps no
 * state of its own: on start it takes up the fold from
 * the last stored candle of every interval and symbol (see `CandleAggregator`), reading `PRICES`
 * again from the oldest tick that is in no stored candle; the fold closes no bar at or before a
 * stored one. So a crash or a restart neither loses a candle nor writes one twice (and the msg id
 * keeps a second writer's copy out), and what it writes equals a fold of the stream from its first tick.
 *
 * It catches up with the window reader `/api/ticks` uses (a push consumer with flow control,
 * several times faster than a pulled consumer), then follows new ticks with an ordered consumer.
 */
export async function startCandleFold(options: CandleFoldOptions): Promise<CandleFold> {
  const { nc, store, publisher } = options;
  const symbols = await symbolsInPrices(nc);
  const closed = store.lasts();
  const fold = new TickFold(new CandleAggregator(undefined, { closed }), options);
  const fromSeq = foldStart(symbols, store);
  options.logger.info({ fromSeq, symbols: symbols.length, storedSubjects: closed.length }, "candles: folding PRICES");
  const reader = new PricesFollower(nc, fold, options);
  const done = reader.follow(fromSeq);
  /** The last seq folded at a moment when every candle closed so far was stored. */
  let storedSeq = 0;
  let stopped: Promise<void> | undefined;
  return {
    forming: (interval, symbol) => fold.aggregator.formingCandle(interval, symbol),
    isStalled: () => reader.isStalled(),
    foldedSeq: () => {
      if (publisher.pending === 0) storedSeq = fold.aggregator.seq;
      return storedSeq;
    },
    // Once: a second close of the live consumer's messages would never resolve.
    stop() {
      if (!stopped) {
        publisher.stopping = true;
        stopped = reader
          .stop()
          .then(() => done)
          .then(() => publisher.drain());
      }
      return stopped;
    },
  };
}

/** Each tick into the aggregator, each closed candle to the publisher; a promise only when the publisher is full. */
class TickFold {
  private readonly seen = new Set<string>();

  constructor(
    readonly aggregator: CandleAggregator,
    private readonly options: CandleFoldOptions,
  ) {}

  add(tick: SequencedTick): Promise<void> | undefined {
    if (!this.seen.has(tick.symbol)) {
      this.seen.add(tick.symbol);
      this.options.onSymbol?.(tick.symbol, tick.ts);
    }
    const lateBefore = this.aggregator.lateTotal;
    const closed = this.aggregator.add(tick);
    if (this.aggregator.lateTotal !== lateBefore) this.options.onLate?.(tick.symbol);
    let full: Promise<void> | undefined;
    for (const candle of closed) full = this.options.publisher.submit(candle) ?? full;
    return full;
  }
}

/** Reads `PRICES` from a seq on: to the end with the window reader, then live (through any restart of nats-server); after a failure, again from the next tick. */
class PricesFollower {
  private stopped = false;
  private live: StreamFollower | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly fold: TickFold,
    private readonly options: CandleFoldOptions,
  ) {}

  async follow(fromSeq: number): Promise<void> {
    const clock = this.options.clock ?? systemClock;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const start = Math.max(fromSeq, this.fold.aggregator.seq + 1);
        await visitTickWindow(
          this.nc,
          { fromSeq: start, limit: Number.MAX_SAFE_INTEGER },
          { onTick: (tick) => this.fold.add(tick), onReject: this.options.onReject, stopped: () => this.stopped },
        );
        if (!this.stopped) await this.followLive(clock);
        return;
      } catch (error) {
        if (this.stopped) return;
        const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 });
        this.options.logger.warn({ err: (error as Error).message, retryInMs: delay }, "candles: reading PRICES failed; reading again from the next tick");
        await sleep(clock, delay);
      }
    }
  }

  /** Whether the live fold has been behind `PRICES`, folding nothing, past its stall limit. */
  isStalled(): boolean {
    return this.live?.isStalled() ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.live?.stop();
  }

  private async followLive(clock: Clock): Promise<void> {
    const live = new StreamFollower({
      nc: this.nc,
      stream: PRICES_STREAM,
      name: "candle fold",
      logger: this.options.logger,
      clock,
      start: () => ({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.fold.aggregator.seq + 1 }),
      awaitEach: true,
      onMessage: (message) => {
        const result = decodeTick(message.string(), symbolFromSubject(message.subject));
        if (result.ok) return this.fold.add({ ...result.tick, seq: message.seq });
        this.options.onReject?.(result.reason, result.message, message.seq);
        return undefined;
      },
    });
    await live.start();
    this.live = live;
    // Stopped while it was being made.
    if (this.stopped) await live.stop();
  }
}

/**
 * The first seq to fold: the oldest tick in no stored candle. A symbol of `PRICES` with an
 * interval that has no candle yet is folded from the stream's start (seq 1 reads from its first).
 */
function foldStart(symbols: readonly string[], store: CandleStore): number {
  let from = Number.POSITIVE_INFINITY;
  for (const symbol of symbols) {
    for (const interval of Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {
      from = Math.min(from, (store.last(interval, symbol)?.lastSeq ?? 0) + 1);
    }
  }
  return Number.isFinite(from) ? from : 1;
}

async function symbolsInPrices(nc: NatsConnection): Promise<string[]> {
  const info = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM, { subjects_filter: ">" });
  return Object.keys(info.state.subjects ?? {}).flatMap((subject) => symbolFromSubject(subject) ?? []);
}
