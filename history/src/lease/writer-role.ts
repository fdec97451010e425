import {
  backoffDelay,
  sleep,
  systemClock,
  type Clock,
  type HistoryRole,
  type Logger,
  type WriterLossReason,
  type WriterTakeoverReason,
} from "@cryptostream/core";
import type { BucketMirror } from "../price-history/bucket-mirror";
import type { Candles } from "../candles/candles";
import { startHistoryWriter, type HistoryWriter, type HistoryWriterOptions } from "../price-history/history-writer";
import { WriterLease, type WriterLeaseOptions } from "./writer-lease";

export interface WriterRoleOptions {
  mirror: BucketMirror;
  candles: Candles;
  /** The price_history writer's settings but its view of the bucket and its lease check. */
  writer: Omit<HistoryWriterOptions, "mirror" | "mayWrite">;
  /** Whether this instance holds the writer lease now. */
  mayWrite: () => boolean;
  logger: Logger;
  clock?: Clock;
  onRole?: (role: HistoryRole) => void;
}

/**
 * Starts and stops what only the writer does: the durable consumer that keeps `price_history`, and
 * the candle fold that publishes to `CANDLES`. A writer starts once this instance has applied all
 * the bucket and the stream hold (what the last writer wrote), from the durable consumer's ack floor
 * and the last stored candles. Changes run one after the other, in the order they were asked for.
 */
export class WriterRole {
  private current: HistoryRole = "reader";
  private writer: HistoryWriter | undefined;
  private changes: Promise<void> = Promise.resolve();
  private readonly clock: Clock;

  constructor(private readonly options: WriterRoleOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get role(): HistoryRole {
    return this.current;
  }

  /** Resolves once every change asked for so far is done. */
  settled(): Promise<void> {
    return this.changes;
  }

  becomeWriter(): void {
    this.changes = this.changes.then(() => this.startWriting());
  }

  becomeReader(): Promise<void> {
    this.changes = this.changes.then(() => this.stopWriting());
    return this.changes;
  }

  /** On shutdown: stops both writers (before the lease is handed over), without starting a reader's fold. */
  stop(): Promise<void> {
    this.changes = this.changes.then(() => this.stopWriting(false));
    return this.changes;
  }

  /** Retries while the lease is held: a writer that cannot start (NATS out of reach) tries again, or its lease lapses. */
  private async startWriting(): Promise<void> {
    for (let attempt = 0; this.options.mayWrite(); attempt++) {
      try {
        await this.options.mirror.caughtUp();
        this.writer = await startHistoryWriter({ ...this.options.writer, mirror: this.options.mirror, mayWrite: this.options.mayWrite });
        await this.options.candles.startWriting(this.options.mayWrite);
        this.setRole("writer");
        return;
      } catch (error) {
        await this.stopWriting();
        const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 2_000 });
        this.options.logger.warn({ err: (error as Error).message, retryInMs: delay }, "could not start writing; trying again while the lease is held");
        await sleep(this.clock, delay);
      }
    }
  }

  private async stopWriting(thenRead = true): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.stop().catch((error: Error) => this.options.logger.warn({ err: error.message }, "price_history writer did not stop cleanly"));
    await this.options.candles
      .stopWriting(thenRead)
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, "candle writer did not stop cleanly"));
    this.setRole("reader");
  }

  private setRole(role: HistoryRole): void {
    if (role === this.current) return;
    this.current = role;
    this.options.logger.info({ role }, role === "writer" ? "writing price_history and CANDLES" : "reading only");
    this.options.onRole?.(role);
  }
}

/** What the election tells the metrics: the lease taken (how) and lost (why), and the role now. */
export interface LeaseEvents {
  leaseTaken(how: WriterTakeoverReason): void;
  leaseLost(why: WriterLossReason): void;
  setRole(role: HistoryRole): void;
}

export interface ElectionOptions extends Pick<WriterLeaseOptions, "kv" | "instance">, Omit<WriterRoleOptions, "mayWrite" | "onRole"> {
  events: LeaseEvents;
}

/**
 * Campaigns for the writer lease and writes while it holds it. Resolves after the first attempt:
 * alone, or first, the instance writes before it serves; otherwise it serves as a reader from the start.
 */
export async function electWriter({ kv, instance, events, ...options }: ElectionOptions): Promise<{ lease: WriterLease; role: WriterRole }> {
  const lease: WriterLease = new WriterLease({
    kv,
    instance,
    logger: options.logger,
    clock: options.clock,
    onAcquired: (how) => {
      events.leaseTaken(how);
      role.becomeWriter();
    },
    onLost: (why) => {
      events.leaseLost(why);
      return why === "shutdown" ? role.stop() : role.becomeReader();
    },
  });
  const role = new WriterRole({ ...options, mayWrite: () => lease.held(), onRole: events.setRole });
  await lease.start();
  await role.settled();
  return { lease, role };
}
