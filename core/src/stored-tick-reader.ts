import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig, type JetStreamManager } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { systemClock, type Clock } from "./clock";
import { PRICES_STREAM, symbolFromSubject } from "./contracts/names";
import { pricesConsumerFilter } from "./jetstream";
import { decimalAfter, parseDelivery, type Delivery } from "./js-delivery";
import { newInbox } from "./nats";
import { SilenceWatch } from "./silence-watch";

/** Where a read of `PRICES` starts and stops, and which symbols it keeps. */
export interface StoredTickRange {
  /** Only these symbols; all when empty or absent. */
  symbols?: readonly string[];
  /** ms since epoch: start at the first tick stored at or after this time. */
  sinceMs?: number;
  /** Or start at this stream sequence. */
  fromSeq?: number;
  /** ms since epoch: stop at the first tick stored after this time; default now. */
  untilMs?: number;
  /** Stop after this stream sequence. */
  toSeq?: number;
}

export interface StoredTickVisitor {
  /** One stored tick of the window, undecoded; a returned promise pauses delivery until it settles. */
  onStored: (data: Uint8Array, seq: number, symbol: string | undefined) => void | Promise<void>;
  /** Checked after each tick; true ends the read. */
  done: () => boolean;
}

const NANOS_PER_MS = 1_000_000;
const IDLE_HEARTBEAT_MS = 2_000;
/** Silence for this long (no tick, no heartbeat) means the consumer is gone: it is made again. */
const SILENCE_LIMIT_MS = 3 * IDLE_HEARTBEAT_MS;
const MAX_FAILED_REOPENS = 3;
/** nats-server deletes a window's consumer this long after its reader is gone (a crashed process leaves none behind). */
const INACTIVE_THRESHOLD_MS = 30_000;

/**
 * Reads a window of `PRICES` through an ephemeral push consumer with flow control, on a plain
 * core subscription: no JetStream message wrapper per tick, no async iteration, the payload
 * handed over as it arrived (bench/RESULTS.md: 1.7x the ticks per second of NATS.js's ordered
 * consumer at half the CPU per tick). The server keeps the window's symbols
 * ({@link pricesConsumerFilter}). See {@link StoredTickReader} for the rest.
 */
export async function readStoredTicks(nc: NatsConnection, window: StoredTickRange, visitor: StoredTickVisitor, clock: Clock = systemClock): Promise<void> {
  const jsm = await jetstreamManager(nc);
  // Where the read ends at the latest: the last tick stored as it begins.
  const lastStored = (await jsm.streams.info(PRICES_STREAM)).state.last_seq;
  const bounded = { ...window, toSeq: Math.min(window.toSeq ?? Number.MAX_SAFE_INTEGER, lastStored) };
  return new Promise<void>((resolve, reject) => new StoredTickReader(nc, jsm, bounded, visitor, clock, { resolve, reject }).start());
}

/**
 * One read of a window, a small state machine. Like an ordered consumer it makes its consumer
 * again from the next tick when a delivery goes missing or the server falls silent (a few
 * failed attempts end the read). Backpressure: while the visitor's promise is pending,
 * deliveries queue here and the flow-control reply is held back, so the server stops after one
 * window. It ends at `untilMs`, at `toSeq` (at most the last tick stored when the read began: read
 * from the stream's info, not inferred from the consumer's pending count, which nats-server may
 * give after it has already delivered some), or when the visitor is done; the promise settles
 * only after the visitor's last promise has.
 */
class StoredTickReader {
  private readonly toSeq: number;
  private readonly untilNanos: string | undefined;
  private subscription: Subscription | undefined;
  private consumerName: string | undefined;
  private expectedDelivery = 1;
  private lastStreamSeq = 0;
  /** The visitor's unsettled promise, if any. */
  private paused: Promise<void> | undefined;
  private readonly queued: Msg[] = [];
  private heldFlowControl: string | undefined;
  private failedReopens = 0;
  private finished = false;
  private silence: SilenceWatch | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly window: StoredTickRange,
    private readonly visitor: StoredTickVisitor,
    private readonly clock: Clock,
    private readonly settle: { resolve: () => void; reject: (error: unknown) => void },
  ) {
    this.toSeq = window.toSeq ?? Number.MAX_SAFE_INTEGER;
    this.untilNanos = window.untilMs === undefined ? undefined : String(BigInt(window.untilMs) * BigInt(NANOS_PER_MS));
  }

  start(): void {
    if (this.toSeq === 0 || (this.window.fromSeq ?? 1) > this.toSeq) return this.finish();
    this.open(this.window.fromSeq, true);
    if (this.finished) return;
    this.silence = new SilenceWatch(
      this.clock,
      SILENCE_LIMIT_MS,
      IDLE_HEARTBEAT_MS,
      () => this.reopen(),
      () => this.paused !== undefined,
    );
  }

  private finish(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.silence?.stop();
    this.queued.length = 0;
    this.closeConsumer();
    if (error) this.settle.reject(error);
    else if (this.paused) this.paused.then(() => this.settle.resolve(), this.settle.reject);
    else this.settle.resolve();
  }

  private closeConsumer(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.consumerName) this.jsm.consumers.delete(PRICES_STREAM, this.consumerName).catch(() => undefined);
    this.consumerName = undefined;
  }

  /** Opens a consumer from `startSeq`; whatever that throws ends this read, never the process. */
  private open(startSeq: number | undefined, first = false): void {
    try {
      this.openConsumer(startSeq, first);
    } catch (error) {
      this.finish(error);
    }
  }

  private openConsumer(startSeq: number | undefined, first: boolean): void {
    this.closeConsumer();
    const inbox = newInbox(this.nc);
    this.expectedDelivery = 1;
    this.silence?.heard();
    // Subscribed before the consumer exists, so no delivery can find nobody listening.
    const current = this.nc.subscribe(inbox, { callback: (error, msg) => this.onMessage(current, inbox, error, msg) });
    this.subscription = current;
    this.jsm.consumers.add(PRICES_STREAM, this.consumerConfig(inbox, startSeq)).then(
      (info) => {
        if (this.subscription !== current) {
          this.jsm.consumers.delete(PRICES_STREAM, info.name).catch(() => undefined);
          return;
        }
        this.consumerName = info.name;
        this.failedReopens = 0;
        // Nothing delivered and nothing to deliver: no tick of the window is stored. (Once a
        // delivery has arrived, the pending count in its reply subject says where the end is.)
        if (this.lastStreamSeq === 0 && info.num_pending === 0) this.finish();
      },
      (error: unknown) => {
        // The first consumer's failure is the answer (no stream, no permission); a later one may be
        // a server still coming back, so the silence check tries again, a few times.
        if (first || ++this.failedReopens >= MAX_FAILED_REOPENS) this.finish(error);
      },
    );
  }

  private consumerConfig(inbox: string, startSeq: number | undefined): Partial<ConsumerConfig> {
    return {
      deliver_subject: inbox,
      ack_policy: AckPolicy.None,
      flow_control: true,
      idle_heartbeat: IDLE_HEARTBEAT_MS * NANOS_PER_MS,
      ...pricesConsumerFilter(this.window.symbols),
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: INACTIVE_THRESHOLD_MS * NANOS_PER_MS,
      ...(startSeq !== undefined
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, startSeq) }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(this.window.sinceMs ?? 0).toISOString() }),
    };
  }

  private reopen(): void {
    if (this.finished) return;
    this.queued.length = 0;
    this.heldFlowControl = undefined;
    this.open(this.lastStreamSeq > 0 ? this.lastStreamSeq + 1 : this.window.fromSeq);
  }

  private onMessage(from: Subscription, inbox: string, error: Error | null, msg: Msg): void {
    if (this.finished || from !== this.subscription) return;
    if (error) return this.finish(error);
    this.silence?.heard();
    if (msg.subject === inbox) return this.onControl(msg);
    if (this.paused) this.queued.push(msg);
    else this.deliver(msg);
  }

  /** Flow-control requests carry a reply; idle heartbeats may name a stalled flow-control reply. */
  private onControl(msg: Msg): void {
    const flowControl = msg.reply || msg.headers?.get("Nats-Consumer-Stalled");
    if (!flowControl) return;
    if (this.paused) this.heldFlowControl = flowControl;
    else this.nc.publish(flowControl);
  }

  private deliver(msg: Msg): void {
    const delivery = parseDelivery(msg.reply ?? "");
    if (!delivery) return this.finish(new Error(`not a JetStream delivery on ${msg.subject}: reply "${msg.reply}"`));
    if (delivery.deliverySeq !== this.expectedDelivery) return this.reopen();
    this.expectedDelivery++;
    if (this.isPastEnd(delivery, msg.reply!)) return this.finish();
    this.lastStreamSeq = delivery.streamSeq;
    if (!this.visit(msg.data, delivery.streamSeq, symbolFromSubject(msg.subject))) return;
    if (delivery.pending === 0 || delivery.streamSeq >= this.toSeq) this.finish();
  }

  private isPastEnd(delivery: Delivery, reply: string): boolean {
    if (delivery.streamSeq > this.toSeq) return true;
    return this.untilNanos !== undefined && decimalAfter(reply, delivery.storedNanosStart, delivery.storedNanosEnd, this.untilNanos);
  }

  /** Hands one tick to the visitor; false when the read ended with it. */
  private visit(data: Uint8Array, seq: number, symbol: string | undefined): boolean {
    let pending: void | Promise<void>;
    try {
      pending = this.visitor.onStored(data, seq, symbol);
    } catch (error) {
      this.finish(error);
      return false;
    }
    if (pending) {
      this.paused = pending;
      pending.then(
        () => this.resume(),
        (error: unknown) => this.finish(error),
      );
    }
    if (!this.visitor.done()) return true;
    this.finish();
    return false;
  }

  private resume(): void {
    this.paused = undefined;
    if (this.finished) return;
    if (this.visitor.done()) return this.finish();
    let next = 0;
    while (next < this.queued.length && !this.paused && !this.finished) this.deliver(this.queued[next++]!);
    this.queued.splice(0, next);
    if (!this.paused && this.heldFlowControl && !this.finished) {
      this.nc.publish(this.heldFlowControl);
      this.heldFlowControl = undefined;
    }
  }
}
