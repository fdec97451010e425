import {
  JetStreamAckInbox,
  backoffDelay,
  priceSubject,
  systemClock,
  tickMsgId,
  type Clock,
  type ClockTimer,
  type Logger,
  type NatsConnection,
  type Tick,
} from "@cryptostream/core";

export interface PublisherOptions {
  nc: NatsConnection;
  logger: Logger;
  /** Publishes awaiting their ack at once. */
  maxInFlight?: number;
  /** Ticks kept while NATS is slow or away; past it the oldest are dropped. */
  maxQueued?: number;
  /** How long to wait for JetStream's ack before retrying. */
  ackTimeoutMs?: number;
  onPublished?: (tick: Tick, duplicate: boolean) => void;
  onDropped?: (tick: Tick) => void;
  onRetry?: (tick: Tick, error: Error) => void;
  /** Ack timeouts and retry waits go by it; the system clock by default. */
  clock?: Clock;
}

/** Where a tick goes and the `Nats-Msg-Id` it carries. */
export interface PublishTarget {
  subject: string;
  msgId: string;
}

/** `prices.<symbol>`, with a msg id from (source, symbol, ts). */
export const priceTarget = (tick: Tick): PublishTarget => ({ subject: priceSubject(tick.symbol), msgId: tickMsgId(tick) });

interface Pending {
  order: number;
  tick: Tick;
  payload: string;
  target: PublishTarget;
}

/**
 * Publishes ticks to JetStream with many publishes in flight. Each carries a
 * `Nats-Msg-Id` of what it was made from, so a retry after a lost ack is
 * dropped by the stream as a duplicate. A failed publish pauses the pipeline,
 * lets what is in flight settle, then resends the failures in their first order.
 */
export class TickPublisher {
  private readonly acks: JetStreamAckInbox;
  private readonly queue: Pending[] = [];
  private readonly failed: Pending[] = [];
  private inFlight = 0;
  private order = 0;
  private retryAttempt = 0;
  private retryTimer: ClockTimer | undefined;
  private readonly clock: Clock;
  private paused = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxInFlight: number;
  private readonly maxQueued: number;

  constructor(private readonly options: PublisherOptions) {
    this.clock = options.clock ?? systemClock;
    this.acks = new JetStreamAckInbox(options.nc, options.ackTimeoutMs ?? 2_000, this.clock);
    this.maxInFlight = options.maxInFlight ?? 1_024;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  get queued(): number {
    return this.queue.length + this.failed.length;
  }

  get pending(): number {
    return this.queued + this.inFlight;
  }

  /** Queues a tick that has passed validation, for `prices.<symbol>` unless `target` says otherwise. */
  publish(tick: Tick, target: PublishTarget = priceTarget(tick)): void {
    if (this.queued >= this.maxQueued) {
      const dropped = this.queue.shift();
      if (dropped) this.options.onDropped?.(dropped.tick);
    }
    this.queue.push({ order: this.order++, tick, payload: JSON.stringify(tick), target });
    this.pump();
  }

  /** Resolves once every queued tick has been acknowledged. */
  flush(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.retryTimer?.clear();
    this.acks.close();
  }

  private pump(): void {
    while (!this.paused && this.inFlight < this.maxInFlight && this.queue.length > 0) {
      this.send(this.queue.shift()!);
    }
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  private send(item: Pending): void {
    this.inFlight++;
    this.acks
      .publish(item.target.subject, item.payload, item.target.msgId)
      .then(
        (ack) => {
          this.retryAttempt = 0;
          this.options.onPublished?.(item.tick, ack.duplicate);
        },
        (error: Error) => {
          this.failed.push(item);
          this.paused = true;
          this.options.onRetry?.(item.tick, error);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.paused && this.inFlight === 0) this.scheduleRetry();
        else this.pump();
      });
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.retryAttempt++, { baseMs: 100, maxMs: 1_000 });
    this.options.logger.warn({ failed: this.failed.length, retryInMs: delay }, "publish failed, retrying");
    this.retryTimer = this.clock.setTimeout(() => {
      this.failed.sort((a, b) => a.order - b.order);
      this.queue.unshift(...this.failed.splice(0));
      this.paused = false;
      this.pump();
    }, delay);
  }
}
