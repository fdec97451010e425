import {
  JetStreamAckInbox,
  backoffDelay,
  candleMsgId,
  candleSubject,
  isWrongLastSequence,
  sleep,
  systemClock,
  type Candle,
  type Clock,
  type Logger,
  type NatsConnection,
} from "@cryptostream/core";

/** A publish not acknowledged by then is retried (the msg id keeps a late first copy from doubling it). */
const PUBLISH_TIMEOUT_MS = 5_000;

export interface CandlePublisherOptions {
  logger: Logger;
  clock?: Clock;
  /** Checked before every publish: once false, this instance is no longer the writer and publishes nothing more. */
  mayWrite?: () => boolean;
  /** What `CANDLES` holds as this instance has applied it: each publish is checked against it. */
  fence?: CandleFence;
  /** A publish refused because the subject changed since this instance saw it (another writer, or its own publish whose ack was lost). */
  onConflict?: (candle: Candle) => void;
  onWritten?: (candle: Candle) => void;
}

/** Candles published and not yet acknowledged, over every subject, before the fold waits. */
const PUBLISHES_IN_FLIGHT = 1_024;

/** `CANDLES` as this instance follows it (see `followCandles` and `CandleStore`). */
export interface CandleFence {
  /** The stream seq of a subject's last candle applied (0: none): what its next publish must follow. */
  lastSeqOf(subject: string): number;
  /** Whether the candle is stored, once everything `CANDLES` holds now is applied. */
  storedAfterCatchUp(candle: Candle): Promise<boolean>;
}

/** Where a fold's closed candles go: {@link CandlePublisher} on the writer, {@link DroppedCandles} on a reader. */
export interface CandleSink {
  /** Set once the fold stops: nothing more is retried. */
  stopping: boolean;
  /** Takes a closed candle; a promise, when full, that resolves once there is room for more. */
  submit(candle: Candle): Promise<void> | undefined;
  /** Candles taken and not yet stored. */
  readonly pending: number;
  /** Resolves once every candle taken so far is stored (or given up on, when stopping). */
  drain(): Promise<void>;
}

/** A reader's fold closes candles too; the writer publishes them, so a reader drops its own. */
export class DroppedCandles implements CandleSink {
  stopping = false;
  readonly pending = 0;
  submit(): undefined {
    return undefined;
  }
  async drain(): Promise<void> {}
}

/**
 * Publishes candles to `CANDLES`, each with its msg id, retrying until stored. Candles of
 * different subjects go out without waiting for each other; those of one subject strictly one
 * after the other, so a subject's stored candles never skip one (the fold takes up from a
 * subject's last stored candle: a later one stored before an earlier would leave a hole).
 *
 * With a fence, each publish carries the seq its subject's last stored candle must have, so a
 * candle sent on a stale view (a writer paused while another took over) is refused, not stored;
 * the publisher then looks at what is stored and publishes only what is not.
 */
export class CandlePublisher implements CandleSink {
  stopping = false;
  private readonly clock: Clock;
  private readonly acks: JetStreamAckInbox;
  private readonly chains = new Map<string, Promise<boolean>>();
  /** Each subject's last stored seq as this publisher last stored it. */
  private readonly lastSeqs = new Map<string, number>();
  private inFlight = 0;
  private readonly stopped = new AbortController();
  private roomWaiters: (() => void)[] = [];

  constructor(
    nc: NatsConnection,
    private readonly options: CandlePublisherOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.acks = new JetStreamAckInbox(nc, PUBLISH_TIMEOUT_MS, this.clock);
  }

  /** Queues a candle behind its subject's earlier ones; a promise, when full, that resolves once there is room for more. */
  submit(candle: Candle): Promise<void> | undefined {
    const key = `${candle.interval}|${candle.symbol}`;
    this.inFlight++;
    const previous = this.chains.get(key) ?? Promise.resolve(true);
    const chain = previous.then((stored) => (stored ? this.publish(candle) : false)).finally(() => this.release());
    this.chains.set(key, chain);
    void chain.then(() => {
      if (this.chains.get(key) === chain) this.chains.delete(key);
    });
    if (this.inFlight < PUBLISHES_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Candles submitted and not yet stored. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once every candle submitted so far is stored (or given up on, when stopping). */
  async drain(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  /** Stops at once: what waits for an ack or a retry gives up (the next writer folds it again). */
  close(): void {
    this.stopping = true;
    this.stopped.abort();
    this.acks.close();
  }

  /** Publishes one candle and waits for it to be stored; false when stopped first. */
  private async publish(candle: Candle): Promise<boolean> {
    const subject = candleSubject(candle.interval, candle.symbol);
    for (let attempt = 0; ; attempt++) {
      if (this.options.mayWrite && !this.options.mayWrite()) this.stopping = true;
      if (this.stopping) return false;
      try {
        const ack = await this.acks.publish(subject, JSON.stringify(candle), candleMsgId(candle), this.expectedSeq(subject));
        if (this.options.fence) this.lastSeqs.set(subject, ack.seq);
        this.options.onWritten?.(candle);
        return true;
      } catch (error) {
        if (this.stopping) return false;
        if (isWrongLastSequence(error) && this.options.fence) {
          this.options.onConflict?.(candle);
          this.lastSeqs.delete(subject);
          if (await this.options.fence.storedAfterCatchUp(candle).catch(() => false)) return true;
          continue;
        }
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 });
        this.options.logger.warn({ err: (error as Error).message, subject: candleMsgId(candle), retryInMs: delay }, "candle publish failed");
        await sleep(this.clock, delay, this.stopped.signal);
      }
    }
  }

  private expectedSeq(subject: string): number | undefined {
    const { fence } = this.options;
    return fence ? (this.lastSeqs.get(subject) ?? fence.lastSeqOf(subject)) : undefined;
  }

  private release(): void {
    this.inFlight--;
    if (this.inFlight < PUBLISHES_IN_FLIGHT) for (const resolve of this.roomWaiters.splice(0)) resolve();
  }
}
