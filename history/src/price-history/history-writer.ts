import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg, type MsgRequest } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import {
  LIVE_CONSUMER_EXPIRES_MS,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  pricesConsumerFilter,
  backoffDelay,
  decodeTick,
  isWrongLastSequence,
  sleep,
  symbolFromSubject,
  systemClock,
  type Clock,
  type Logger,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";
import type { ConsumerConfig, JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { BucketMirror } from "./bucket-mirror";

export interface HistoryWriterOptions {
  nc: NatsConnection;
  kv: KV;
  /** The bucket as this instance sees it: what is written, and each key's revision to write after. */
  mirror: BucketMirror;
  durable: string;
  logger: Logger;
  /** Checked before every write: false once this instance is no longer the writer, and it stops. */
  mayWrite?: () => boolean;
  onWritten?: (tick: SequencedTick) => void;
  /** A write refused because the key changed since this instance saw it (another writer, or its own write whose ack was lost). */
  onConflict?: (symbol: string) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
  /** The consumer was recreated to deliver again from this seq: ticks before it were missing. */
  onRestart?: (fromSeq: number) => void;
  /** The durable consumer was gone (deleted by someone) and was made again from this seq. */
  onConsumerLost?: (fromSeq: number | undefined) => void;
  /** Retry waits go by it; the system clock by default. */
  clock?: Clock;
}

export interface HistoryWriter {
  stop(): Promise<void>;
}

/**
 * Keeps `price_history` with a durable consumer on `PRICES`: each tick is written
 * to the bucket, then acked, strictly in stream order. A tick whose seq is
 * already in the bucket (a redelivery after a crash between write and ack) is
 * acked without a second write.
 *
 * Order is what makes the bucket's per-key history the last 50 ticks. A message
 * delivered but never processed (the previous run died holding it, or it was lost
 * in transit when nats-server went down) would otherwise come back only after
 * `ack_wait`, behind newer ticks, and be skipped as old: a hole. So the writer
 * starts from the consumer's ack floor, and whenever a stored tick is missing
 * ahead of what arrives, it recreates the consumer from the first tick it has
 * not written.
 *
 * Every write is checked against the key's revision as this instance last saw it (nats-server's
 * expected-last-subject-sequence), so a write made on a stale view (a writer that was paused
 * while another took over) is refused instead of stored; the writer then reads what is stored
 * and writes only what is not.
 */
export async function startHistoryWriter(options: HistoryWriterOptions): Promise<HistoryWriter> {
  const writer = new DurableHistoryWriter(options, await jetstreamManager(options.nc), jetstream(options.nc));
  await writer.prepare();
  writer.run();
  return writer;
}

type Outcome = { restartAt?: number; stopped?: true };

/** The shortest wait before the writer consumes again after a failure. */
const RECOVER_FLOOR_MS = 100;

class DurableHistoryWriter implements HistoryWriter {
  /** The first seq not yet written, or undefined when nothing has been. */
  private next: number | undefined;
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private done: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  /** Aborted on stop: cuts a retry's wait short, so a writer handing over does so at once. */
  private readonly stopped = new AbortController();

  constructor(
    private readonly options: HistoryWriterOptions,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    await this.messages?.close();
    await this.done;
  }

  /** Makes the durable consumer, or takes up an existing one from its ack floor. */
  async prepare(): Promise<void> {
    const existing = await this.jsm.consumers.info(PRICES_STREAM, this.options.durable).catch(() => undefined);
    if (!existing) {
      await this.jsm.consumers.add(PRICES_STREAM, this.consumerConfig(undefined));
      return;
    }
    this.next = existing.ack_floor.stream_seq + 1;
    // A consumer made by an earlier version filters on prices.>: made again without, from the same place.
    if (existing.num_ack_pending > 0 || existing.config.filter_subject) await this.recreateFrom(this.next);
  }

  run(): void {
    this.done = this.consumeUntilStopped();
  }

  private consumerConfig(startSeq: number | undefined): Partial<ConsumerConfig> {
    return {
      durable_name: this.options.durable,
      ack_policy: AckPolicy.Explicit,
      ...(startSeq === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
      ...pricesConsumerFilter(),
      max_ack_pending: 1_024,
      ack_wait: 30_000_000_000,
    };
  }

  private async recreateFrom(startSeq: number): Promise<void> {
    await this.jsm.consumers.delete(PRICES_STREAM, this.options.durable).catch(() => undefined);
    await this.jsm.consumers.add(PRICES_STREAM, this.consumerConfig(startSeq));
    this.options.onRestart?.(startSeq);
  }

  /** Whether this instance still writes; once not, the writer stops for good. */
  private mayWrite(): boolean {
    if (this.options.mayWrite && !this.options.mayWrite()) this.stopping = true;
    return !this.stopping;
  }

  private async consumeUntilStopped(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      // No longer the writer (paused past its lease, say): it must not pull the next writer's ticks either.
      if (!this.mayWrite()) return;
      try {
        await this.consumeOnce();
        attempt = 0;
      } catch (error) {
        await this.messages?.close().catch(() => undefined);
        if (this.stopping) return;
        await this.recover(error as Error, attempt);
      }
    }
  }

  /** Consumes until stopped or until a tick is missing ahead of what arrives; then recreates the consumer from it. */
  private async consumeOnce(): Promise<void> {
    // Missing consumer: an error here, not an endless silent wait, so `recover` makes it again.
    const consumer = await this.js.consumers.get(PRICES_STREAM, this.options.durable);
    this.messages = await consumer.consume({ max_messages: 1_024, expires: LIVE_CONSUMER_EXPIRES_MS, abort_on_missing_resource: true });
    if (this.stopping) return void (await this.messages.close());
    let restartAt: number | undefined;
    for await (const message of this.messages) {
      const outcome = await this.handle(message);
      if (outcome.stopped) return;
      if (outcome.restartAt !== undefined) {
        restartAt = outcome.restartAt;
        break;
      }
    }
    await this.messages.close();
    if (restartAt !== undefined && !this.stopping) await this.recreateFrom(restartAt);
  }

  /** After a failure: waits with backoff, and makes the consumer again if it is gone. */
  private async recover(error: Error, attempt: number): Promise<void> {
    // Never at once: a consumer deleted by someone is not made again in the same breath (and /healthz can say so).
    const delay = Math.max(RECOVER_FLOOR_MS, backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 }));
    this.options.logger.warn({ err: error.message, retryInMs: delay }, "history consumer failed; starting it again");
    await sleep(this.clock, delay, this.stopped.signal);
    if (this.stopping) return;
    if (await this.jsm.consumers.info(PRICES_STREAM, this.options.durable).catch(() => undefined)) return;
    // Its ack floor went with it: `next`, the first seq not written, is where it stood.
    const added = await this.jsm.consumers.add(PRICES_STREAM, this.consumerConfig(this.next)).catch(() => undefined);
    if (added) this.options.onConsumerLost?.(this.next);
  }

  /** Writes one delivered message; says where to restart the consumer when ticks before it are missing. */
  private async handle(message: JsMsg): Promise<Outcome> {
    const { next } = this;
    if (next !== undefined && message.seq < next) {
      message.ack();
      return {};
    }
    if (next !== undefined && message.seq > next && (await this.missingBetween(next, message.seq))) return { restartAt: next };
    const result = decodeTick(message.string(), symbolFromSubject(message.subject));
    if (!result.ok) {
      this.options.onReject?.(result.reason, result.message, message.seq);
      message.term();
    } else {
      const tick: SequencedTick = { ...result.tick, seq: message.seq };
      if (!(await this.writeUntilStored(tick))) return { stopped: true };
      message.ack();
    }
    this.next = message.seq + 1;
    return {};
  }

  /** Whether a stored tick exists between `from` and `before`: then it was delivered and not processed. */
  private async missingBetween(from: number, before: number): Promise<boolean> {
    // The first stored tick at or after `from`: nats-server's MSG.GET takes `next_by_subj`
    // (tested here), though nats.js types that field for direct gets only.
    const stored = await this.jsm.streams.getMessage(PRICES_STREAM, { seq: from, next_by_subj: PRICE_SUBJECTS } as unknown as MsgRequest);
    return stored !== null && stored.seq < before;
  }

  /**
   * Puts the tick in the bucket unless it is there already, retrying with backoff until it is
   * stored; false when stopped first, or when this instance is no longer the writer.
   */
  private async writeUntilStored(tick: SequencedTick): Promise<boolean> {
    const { mirror, kv } = this.options;
    for (let attempt = 0; ; attempt++) {
      if (tick.seq <= mirror.recent.lastSeq(tick.symbol)) return true;
      if (!this.mayWrite()) return false;
      try {
        mirror.recordWrite(tick, await kv.put(tick.symbol, JSON.stringify(tick), { previousSeq: mirror.revision(tick.symbol) }));
        this.options.onWritten?.(tick);
        return true;
      } catch (error) {
        if (this.stopping) return false;
        if (isWrongLastSequence(error)) {
          // Written by another since this instance saw the key: see what is stored, then decide again.
          this.options.onConflict?.(tick.symbol);
          await mirror.caughtUp(tick.symbol).catch(() => undefined);
          continue;
        }
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 });
        this.options.logger.warn({ err: (error as Error).message, symbol: tick.symbol, retryInMs: delay }, "kv write failed");
        await sleep(this.clock, delay, this.stopped.signal);
      }
    }
  }
}
