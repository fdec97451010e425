import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { PRICES_STREAM, symbolFromSubject } from "./contracts/names";
import type { TickRejectReason } from "./contracts/codes";
import { decodeTick, type SequencedTick } from "./contracts/tick";
import { isTimeInRange } from "./contracts/time-bound";
import { pricesConsumerFilter } from "./jetstream";
import { newInbox } from "./nats";

export interface TickWindow {
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
  /** At most this many ticks. */
  limit: number;
}

export interface TickWindowVisitor {
  /**
   * Called for each tick in stream order. `storedJson` is the tick's JSON as stored (without
   * `seq`) when it is exactly the tick, so a writer can reuse it instead of encoding again.
   * A returned promise pauses the read until it settles (backpressure).
   */
  onTick: (tick: SequencedTick, storedJson: string | undefined) => void | Promise<void>;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
  /** Checked after each tick; true stops the read (a client went away). */
  stopped?: () => boolean;
}

/**
 * Visits the ticks `PRICES` keeps for a window, in stream order. Starts at `sinceMs` or
 * `fromSeq`; ends at `untilMs`, at `toSeq`, at `limit`, or at the last tick stored when the
 * read began, whichever comes first. Resolves with the number of ticks visited.
 */
export async function visitTickWindow(nc: NatsConnection, window: TickWindow, visitor: TickWindowVisitor): Promise<number> {
  const problem = windowProblem(window);
  if (problem) throw new RangeError(`invalid tick window: ${problem}`);
  if (window.limit <= 0) return 0;
  let visited = 0;
  const textDecoder = new TextDecoder();
  await readStoredTicks(nc, window, {
    onStored: (data, seq, symbol) => {
      // The client hands payloads over as Buffers, whose decoder is three times TextDecoder's speed.
      const json = Buffer.isBuffer(data) ? data.toString() : textDecoder.decode(data);
      const result = decodeTick(json, symbol);
      if (!result.ok) {
        visitor.onReject?.(result.reason, result.message, seq);
        return;
      }
      // decodeTick made this object for us alone: adding seq in place saves a copy per tick.
      const tick = result.tick as SequencedTick;
      tick.seq = seq;
      visited++;
      return visitor.onTick(tick, result.exact ? json : undefined);
    },
    done: () => visited >= window.limit || visitor.stopped?.() === true,
  });
  return visited;
}

/** What is wrong with a window's bounds, if anything: a read must never start from a value no server or `Date` can take. */
export function windowProblem(window: TickWindow): string | undefined {
  for (const name of ["sinceMs", "untilMs"] as const) {
    const value = window[name];
    if (value !== undefined && !isTimeInRange(value)) return `${name} ${value} is not a time between the epoch and 8.64e15 ms`;
  }
  for (const name of ["fromSeq", "toSeq", "limit"] as const) {
    const value = window[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) return `${name} ${value} is not a non-negative integer`;
  }
  return undefined;
}

interface StoredTickVisitor {
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

/** What the reply subject of a JetStream delivery says about it. */
export interface Delivery {
  streamSeq: number;
  deliverySeq: number;
  pending: number;
  /** Where the stored time (ns since epoch, in decimal) sits in the reply subject. */
  storedNanosStart: number;
  storedNanosEnd: number;
}

const DOT = 46;
const ZERO = 48;
const MAX_DOTS = 12;
const dotsSeen = new Int32Array(MAX_DOTS);

/**
 * Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ns>.<pending>` and the longer
 * form with a domain and an account hash after `ACK` and a token at the end. It runs once per
 * tick of a window, so it reads the subject in place instead of splitting it into strings.
 */
export function parseDelivery(reply: string): Delivery | undefined {
  if (!reply.startsWith("$JS.ACK.")) return undefined;
  let dots = 0;
  for (let i = 0; i < reply.length; i++) {
    if (reply.charCodeAt(i) !== DOT) continue;
    if (dots === MAX_DOTS) return undefined;
    dotsSeen[dots++] = i;
  }
  const first = dots === 8 ? 5 : dots >= 10 ? 7 : -1; // the token of the stream sequence
  if (first < 0) return undefined;
  // Token n (from 0) lies between dot n-1 and dot n.
  const streamSeq = decimalAt(reply, dotsSeen[first - 1]! + 1, dotsSeen[first]!);
  const deliverySeq = decimalAt(reply, dotsSeen[first]! + 1, dotsSeen[first + 1]!);
  const pendingEnd = first + 3 < dots ? dotsSeen[first + 3]! : reply.length;
  const pending = decimalAt(reply, dotsSeen[first + 2]! + 1, pendingEnd);
  if (Number.isNaN(streamSeq + deliverySeq + pending)) return undefined;
  return { streamSeq, deliverySeq, pending, storedNanosStart: dotsSeen[first + 1]! + 1, storedNanosEnd: dotsSeen[first + 2]! };
}

/** The decimal integer at text[start, end), or NaN. */
function decimalAt(text: string, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether the decimal integer at text[start, end) is greater than `limit` (both without leading zeros; exact beyond 2^53). */
function decimalAfter(text: string, start: number, end: number, limit: string): boolean {
  if (end - start !== limit.length) return end - start > limit.length;
  for (let i = 0; i < limit.length; i++) {
    const difference = text.charCodeAt(start + i) - limit.charCodeAt(i);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/**
 * Reads a window of `PRICES` through an ephemeral push consumer with flow control, on a plain
 * core subscription: no JetStream message wrapper per tick, no async iteration, the payload
 * handed over as it arrived (bench/RESULTS.md: 1.7x the ticks per second of NATS.js's ordered
 * consumer at half the CPU per tick).
 * Like an ordered consumer it makes itself again from the next tick when a delivery goes
 * missing or the server falls silent. Backpressure: while `onStored` is pending, deliveries
 * queue here and the flow-control reply is held back, so the server stops after one window.
 * One symbol is filtered by the server; several are filtered here ({@link pricesConsumerFilter}).
 */
async function readStoredTicks(nc: NatsConnection, window: Omit<TickWindow, "limit">, visitor: StoredTickVisitor): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const symbols = window.symbols && window.symbols.length > 0 ? new Set(window.symbols) : undefined;
  const single = symbols?.size === 1 ? [...symbols][0]! : undefined;
  const toSeq = window.toSeq ?? Number.MAX_SAFE_INTEGER;
  const untilNanos = window.untilMs === undefined ? undefined : String(BigInt(window.untilMs) * BigInt(NANOS_PER_MS));

  return new Promise<void>((resolve, reject) => {
    let subscription: Subscription | undefined;
    let consumerName: string | undefined;
    let expectedDelivery = 1;
    let lastStreamSeq = 0;
    /** Ticks left of those stored when the read began; known once the first consumer exists. */
    let remaining: number | undefined;
    let deliveredBeforeKnown = 0;
    /** The visitor's unsettled promise, if any: the read resolves only after it. */
    let paused: Promise<void> | undefined;
    const queued: Msg[] = [];
    let heldFlowControl: string | undefined;
    let lastHeard = Date.now();
    let failedReopens = 0;
    let finished = false;

    let silenceCheck: ReturnType<typeof setInterval> | undefined;

    function finish(error?: unknown): void {
      if (finished) return;
      finished = true;
      clearInterval(silenceCheck);
      queued.length = 0;
      closeConsumer();
      if (error) reject(error);
      else if (paused) paused.then(() => resolve(), reject);
      else resolve();
    }

    function closeConsumer(): void {
      subscription?.unsubscribe();
      subscription = undefined;
      if (consumerName) jsm.consumers.delete(PRICES_STREAM, consumerName).catch(() => undefined);
      consumerName = undefined;
    }

    /** Opens the consumer; whatever it throws ends this read, never the process. */
    function open(startSeq: number | undefined, first = false): void {
      try {
        openConsumer(startSeq, first);
      } catch (error) {
        finish(error);
      }
    }

    function openConsumer(startSeq: number | undefined, first: boolean): void {
      closeConsumer();
      const inbox = newInbox(nc);
      expectedDelivery = 1;
      lastHeard = Date.now();
      // Subscribed before the consumer exists, so no delivery can find nobody listening.
      const current = nc.subscribe(inbox, { callback: (error, msg) => onMessage(current, inbox, error, msg) });
      subscription = current;
      const config: Partial<ConsumerConfig> = {
        deliver_subject: inbox,
        ack_policy: AckPolicy.None,
        flow_control: true,
        idle_heartbeat: IDLE_HEARTBEAT_MS * NANOS_PER_MS,
        ...pricesConsumerFilter(single === undefined ? undefined : [single]),
        mem_storage: true,
        num_replicas: 1,
        inactive_threshold: INACTIVE_THRESHOLD_MS * NANOS_PER_MS,
        ...(startSeq !== undefined
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, startSeq) }
          : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(window.sinceMs ?? 0).toISOString() }),
      };
      jsm.consumers.add(PRICES_STREAM, config).then(
        (info) => {
          if (subscription !== current) {
            jsm.consumers.delete(PRICES_STREAM, info.name).catch(() => undefined);
            return;
          }
          consumerName = info.name;
          failedReopens = 0;
          if (remaining === undefined) {
            remaining = info.num_pending - deliveredBeforeKnown;
            if (remaining <= 0) finish();
          }
        },
        (error: unknown) => {
          // The first consumer's failure is the answer (no stream, no permission); a later one may be
          // a server still coming back, so the silence check tries again, a few times.
          if (first) finish(error);
          else if (++failedReopens >= MAX_FAILED_REOPENS) finish(error);
        },
      );
    }

    function reopen(): void {
      if (finished) return;
      queued.length = 0;
      heldFlowControl = undefined;
      open(lastStreamSeq > 0 ? lastStreamSeq + 1 : window.fromSeq);
    }

    function onMessage(from: Subscription, inbox: string, error: Error | null, msg: Msg): void {
      if (finished || from !== subscription) return;
      if (error) return finish(error);
      lastHeard = Date.now();
      if (msg.subject === inbox) return onControl(msg);
      if (paused) queued.push(msg);
      else deliver(msg);
    }

    /** Flow-control requests carry a reply; idle heartbeats may name a stalled flow-control reply. */
    function onControl(msg: Msg): void {
      const flowControl = msg.reply || msg.headers?.get("Nats-Consumer-Stalled");
      if (!flowControl) return;
      if (paused) heldFlowControl = flowControl;
      else nc.publish(flowControl);
    }

    function deliver(msg: Msg): void {
      const delivery = parseDelivery(msg.reply ?? "");
      if (!delivery) return finish(new Error(`not a JetStream delivery on ${msg.subject}: reply "${msg.reply}"`));
      if (delivery.deliverySeq !== expectedDelivery) return reopen();
      expectedDelivery++;
      if (delivery.streamSeq > toSeq || (untilNanos !== undefined && decimalAfter(msg.reply!, delivery.storedNanosStart, delivery.storedNanosEnd, untilNanos)))
        return finish();
      lastStreamSeq = delivery.streamSeq;
      if (remaining === undefined) deliveredBeforeKnown++;
      else remaining--;

      const symbol = symbolFromSubject(msg.subject);
      if (!symbols || (symbol !== undefined && symbols.has(symbol))) {
        let pending: void | Promise<void>;
        try {
          pending = visitor.onStored(msg.data, delivery.streamSeq, symbol);
        } catch (visitError) {
          return finish(visitError);
        }
        if (pending) {
          paused = pending;
          pending.then(resume, finish);
        }
        if (visitor.done()) return finish();
      }
      if (delivery.pending === 0 || remaining === 0 || delivery.streamSeq === toSeq) finish();
    }

    function resume(): void {
      paused = undefined;
      if (finished) return;
      if (visitor.done()) return finish();
      let next = 0;
      while (next < queued.length && !paused && !finished) deliver(queued[next++]!);
      queued.splice(0, next);
      if (!paused && heldFlowControl && !finished) {
        nc.publish(heldFlowControl);
        heldFlowControl = undefined;
      }
    }

    open(window.fromSeq, true);
    if (!finished) {
      silenceCheck = setInterval(() => {
        if (!paused && Date.now() - lastHeard > SILENCE_LIMIT_MS) reopen();
      }, IDLE_HEARTBEAT_MS);
    }
  });
}
