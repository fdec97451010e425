import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import {
  PRICE_SUBJECTS,
  PRICES_STREAM,
  backoffDelay,
  decodeTick,
  symbolFromSubject,
  type Logger,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";
import { setTimeout as sleep } from "node:timers/promises";
import type { HistoryWindow } from "./history-window";

export interface HistoryWriterOptions {
  nc: NatsConnection;
  kv: KV;
  window: HistoryWindow;
  durable: string;
  logger: Logger;
  onWritten?: (tick: SequencedTick) => void;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

export interface HistoryWriter {
  /** How far the durable consumer is behind the stream. */
  lag(): Promise<{ pending: number; ackPending: number; redelivered: number }>;
  stop(): Promise<void>;
}

/** Loads the window from the bucket: every kept value of every key, oldest first. */
export async function loadWindowFromBucket(kv: KV, window: HistoryWindow): Promise<void> {
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
 * to the bucket, then acked. A tick whose seq is already in the bucket (a
 * redelivery after a crash between write and ack) is acked without a second write.
 */
export async function startHistoryWriter(options: HistoryWriterOptions): Promise<HistoryWriter> {
  const { nc, kv, window, durable, logger } = options;
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(PRICES_STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: PRICE_SUBJECTS,
    max_ack_pending: 1_024,
    ack_wait: 30_000_000_000,
  });
  const consumer = await jetstream(nc).consumers.get(PRICES_STREAM, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 1_024 });
  let stopping = false;

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

  const done = (async () => {
    for await (const message of messages) {
      const result = decodeTick(message.string(), symbolFromSubject(message.subject));
      if (!result.ok) {
        options.onReject?.(result.reason, result.message, message.seq);
        message.term();
        continue;
      }
      const tick: SequencedTick = { ...result.tick, seq: message.seq };
      if (tick.seq > window.lastSeq(tick.symbol)) {
        if (!(await writeUntilStored(tick))) return;
        window.append(tick);
        options.onWritten?.(tick);
      }
      message.ack();
    }
  })();

  return {
    async lag() {
      const info = await jsm.consumers.info(PRICES_STREAM, durable);
      return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    },
    async stop() {
      stopping = true;
      await messages.close();
      await done;
    },
  };
}
