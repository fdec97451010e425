import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from "@nats-io/jetstream";
import {
  CANDLE_INTERVALS,
  LIVE_CONSUMER_EXPIRES_MS,
  PRICES_STREAM,
  CandleAggregator,
  backoffDelay,
  candleMsgId,
  candleSubject,
  decodeTick,
  sleep,
  symbolFromSubject,
  systemClock,
  type Candle,
  type CandleInterval,
  type Clock,
  type Logger,
  type NatsConnection,
  type TickRejectReason,
} from "@cryptostream/core";
import type { CandleStore } from "./candle-store";

export interface CandleWriterOptions {
  nc: NatsConnection;
  /** Publishes each closed candle (see {@link CandlePublisher}). */
  publisher: CandlePublisher;
  /** The first tick of each symbol the fold meets in this run (where a backfill ends). */
  onSymbol?: (symbol: string, firstTickTs: number) => void;
  /** `CANDLES` as it stands, read to the end (see `followCandles`): where the fold takes up. */
  store: CandleStore;
  logger: Logger;
  clock?: Clock;
  onLate?: (symbol: string) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

export interface CandleWriter {
  /** The candle still forming for one interval and symbol. */
  forming(interval: CandleInterval, symbol: string): Candle | undefined;
  /** Seq of the last tick folded. */
  foldedSeq(): number;
  stop(): Promise<void>;
}

/**
 * Folds `PRICES` into candles and publishes each closed one to `CANDLES` with a `Nats-Msg-Id` of
 * its interval, symbol and bar. It keeps no state of its own: on start it takes up the fold from
 * the last stored candle of every interval and symbol (see `CandleAggregator`), reading `PRICES`
 * again from the oldest tick that is in no stored candle; the fold closes no bar at or before a
 * stored one. So a crash or a restart neither loses a candle nor writes one twice (and the msg id
 * keeps a second writer's copy out), and what it writes equals a fold of the stream from its first tick.
 */
export async function startCandleWriter(options: CandleWriterOptions): Promise<CandleWriter> {
  const { nc, store } = options;
  const symbols = await symbolsInPrices(nc);
  const closed = store.lasts();
  const aggregator = new CandleAggregator(undefined, { closed });
  const fromSeq = foldStart(symbols, store);
  const consumer = await jetstream(nc).consumers.get(PRICES_STREAM, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq });
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 4_096, expires: LIVE_CONSUMER_EXPIRES_MS });
  const { publisher } = options;
  const seen = new Set<string>();
  options.logger.info({ fromSeq, symbols: symbols.length, storedSubjects: closed.length }, "candles: folding PRICES");
  const done = (async () => {
    for await (const message of messages) {
      const result = decodeTick(message.string(), symbolFromSubject(message.subject));
      if (!result.ok) {
        options.onReject?.(result.reason, result.message, message.seq);
        continue;
      }
      if (!seen.has(result.tick.symbol)) {
        seen.add(result.tick.symbol);
        options.onSymbol?.(result.tick.symbol, result.tick.ts);
      }
      const lateBefore = aggregator.late.get(result.tick.symbol) ?? 0;
      for (const candle of aggregator.add({ ...result.tick, seq: message.seq })) {
        if (!(await publisher.publish(candle))) return;
      }
      if ((aggregator.late.get(result.tick.symbol) ?? 0) > lateBefore) options.onLate?.(result.tick.symbol);
    }
  })();
  return {
    forming: (interval, symbol) => aggregator.formingCandle(interval, symbol),
    foldedSeq: () => aggregator.seq,
    async stop() {
      publisher.stopping = true;
      await messages.close();
      await done;
    },
  };
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

export interface CandlePublisherOptions {
  logger: Logger;
  clock?: Clock;
  onWritten?: (candle: Candle) => void;
}

/** Publishes candles to `CANDLES`, each with its msg id, retrying until stored. */
export class CandlePublisher {
  stopping = false;
  private readonly clock: Clock;
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly options: CandlePublisherOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.js = jetstream(nc);
  }

  /** False when stopped before it was stored. */
  async publish(candle: Candle): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.js.publish(candleSubject(candle.interval, candle.symbol), JSON.stringify(candle), { msgID: candleMsgId(candle) });
        this.options.onWritten?.(candle);
        return true;
      } catch (error) {
        if (this.stopping) return false;
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 });
        this.options.logger.warn({ err: (error as Error).message, subject: candleMsgId(candle), retryInMs: delay }, "candle publish failed");
        await sleep(this.clock, delay);
      }
    }
  }
}
