import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg, type MsgRequest } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import {
  LIVE_CONSUMER_EXPIRES_MS,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  pricesConsumerFilter,
  backoffDelay,
  decodeTick,
  symbolFromSubject,
  type Logger,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";
import { setTimeout as sleep } from "node:timers/promises";
import type { RecentTicks } from "./recent-ticks";

export interface HistoryWriterOptions {
  nc: NatsConnection;
  kv: KV;
  window: RecentTicks;
  durable: string;
  logger: Logger;
  onWritten?: (tick: SequencedTick) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
  /** The consumer was recreated to deliver again from this seq: ticks before it were missing. */
  onRestart?: (fromSeq: number) => void;
  /** The durable consumer was gone (deleted by someone) and was made again from this seq. */
  onConsumerLost?: (fromSeq: number | undefined) => void;
}

export interface HistoryWriter {
  /** How far the durable consumer is behind the stream. */
  lag(): Promise<{ pending: number; ackPending: number; redelivered: number }>;
  stop(): Promise<void>;
}

/** Loads the window from the bucket: every kept value of every key, oldest first. */
export async function loadWindowFromBucket(kv: KV, window: RecentTicks): Promise<void> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  for (const key of keys) {
    for await (const entry of await kv.history({ key })) {
      if (entry.operation !== "PUT") continue;
      window.append(entry.json<SequencedTick>());
    }
  }
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
 */
export async function startHistoryWriter(options: HistoryWriterOptions): Promise<HistoryWriter> {
  const { nc, kv, window, durable, logger } = options;
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const consumerConfig = (startSeq: number | undefined) => ({
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    ...(startSeq === undefined ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }),
    ...pricesConsumerFilter(),
    max_ack_pending: 1_024,
    ack_wait: 30_000_000_000,
  });
  const recreateFrom = async (startSeq: number) => {
    await jsm.consumers.delete(PRICES_STREAM, durable).catch(() => undefined);
    await jsm.consumers.add(PRICES_STREAM, consumerConfig(startSeq));
    options.onRestart?.(startSeq);
  };

  /** The first seq not yet written, or undefined when nothing has been. */
  let next: number | undefined;
  const existing = await jsm.consumers.info(PRICES_STREAM, durable).catch(() => undefined);
  if (!existing) {
    await jsm.consumers.add(PRICES_STREAM, consumerConfig(undefined));
  } else {
    next = existing.ack_floor.stream_seq + 1;
    // A consumer made by an earlier version filters on prices.>: made again without, from the same place.
    if (existing.num_ack_pending > 0 || existing.config.filter_subject) await recreateFrom(next);
  }

  /** Whether a stored tick exists between `from` and `before`: then it was delivered and not processed. */
  const missingBetween = async (from: number, before: number) => {
    // The first stored tick at or after `from`: nats-server's MSG.GET takes `next_by_subj`
    // (tested here against 2.9.10), though nats.js types that field for direct gets only.
    const stored = await jsm.streams.getMessage(PRICES_STREAM, { seq: from, next_by_subj: PRICE_SUBJECTS } as unknown as MsgRequest);
    return stored !== null && stored.seq < before;
  };

  let stopping = false;
  let messages: ConsumerMessages | undefined;

  const writeUntilStored = async (tick: SequencedTick) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await kv.put(tick.symbol, JSON.stringify(tick));
        return true;
      } catch (error) {
        if (stopping) return false;
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 });
        logger.warn({ err: (error as Error).message, symbol: tick.symbol, retryInMs: delay }, "kv write failed");
        await sleep(delay);
      }
    }
  };

  /** Writes one delivered message; says where to restart the consumer when ticks before it are missing. */
  const handle = async (message: JsMsg): Promise<{ restartAt?: number; stopped?: true }> => {
    if (next !== undefined && message.seq < next) {
      message.ack();
      return {};
    }
    if (next !== undefined && message.seq > next && (await missingBetween(next, message.seq))) return { restartAt: next };
    const result = decodeTick(message.string(), symbolFromSubject(message.subject));
    if (!result.ok) {
      options.onReject?.(result.reason, result.message, message.seq);
      message.term();
    } else {
      const tick: SequencedTick = { ...result.tick, seq: message.seq };
      if (tick.seq > window.lastSeq(tick.symbol)) {
        if (!(await writeUntilStored(tick))) return { stopped: true };
        window.append(tick);
        options.onWritten?.(tick);
      }
      message.ack();
    }
    next = message.seq + 1;
    return {};
  };

  const done = (async () => {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        // Missing consumer: an error here, not an endless silent wait, so it is made again below.
        messages = await (await js.consumers.get(PRICES_STREAM, durable)).consume({
          max_messages: 1_024,
          expires: LIVE_CONSUMER_EXPIRES_MS,
          abort_on_missing_resource: true,
        });
        if (stopping) return void (await messages.close());
        attempt = 0;
        let restartAt: number | undefined;
        for await (const message of messages) {
          const outcome = await handle(message);
          if (outcome.stopped) return;
          if (outcome.restartAt !== undefined) {
            restartAt = outcome.restartAt;
            break;
          }
        }
        await messages.close();
        if (restartAt !== undefined && !stopping) await recreateFrom(restartAt);
      } catch (error) {
        await messages?.close().catch(() => undefined);
        if (stopping) return;
        const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 });
        logger.warn({ err: (error as Error).message, retryInMs: delay }, "history consumer failed; starting it again");
        await sleep(delay);
        if (!(await jsm.consumers.info(PRICES_STREAM, durable).catch(() => undefined))) {
          // Its ack floor went with it: `next`, the first seq not written, is where it stood.
          const added = await jsm.consumers.add(PRICES_STREAM, consumerConfig(next)).catch(() => undefined);
          if (added) options.onConsumerLost?.(next);
        }
      }
    }
  })();

  return {
    async lag() {
      const info = await jsm.consumers.info(PRICES_STREAM, durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    },
    async stop() {
      stopping = true;
      await messages?.close();
      await done;
    },
  };
}
