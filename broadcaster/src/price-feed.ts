import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import {
  LIVE_CONSUMER_EXPIRES_MS,
  PRICES_STREAM,
  decodeTick,
  symbolFromSubject,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";

export interface PriceFeedOptions {
  nc: NatsConnection;
  /** A valid tick, with the time JetStream stored it (ms since epoch). */
  onTick: (tick: SequencedTick, storedAtMs: number) => void;
  onReject: (reason: TickRejectReason, message: string, seq: number) => void;
}

export interface PriceFeed {
  /** Ticks in the stream not yet read. */
  lag(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Reads `PRICES` with an ordered consumer: the last tick of every symbol first,
 * then every new one, each validated and tagged with its stream sequence.
 * Resolves once the last tick of every symbol has been handed to `onTick`, so a
 * broadcaster that has just started knows every symbol and where the stream is
 * before it accepts a client (a resume measured against an empty hub would skip ticks).
 */
export async function followPrices({ nc, onTick, onReject }: PriceFeedOptions): Promise<PriceFeed> {
  // Every symbol, so no filter (pricesConsumerFilter says why): an ordered consumer reset mid-stream reads fast.
  const consumer = await jetstream(nc).consumers.get(PRICES_STREAM, { deliver_policy: DeliverPolicy.LastPerSubject });
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const { state } = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM);
  if (state.messages === 0) caughtUp();
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 4_096, expires: LIVE_CONSUMER_EXPIRES_MS });
  const done = (async () => {
    for await (const message of messages) {
      const result = decodeTick(message.string(), symbolFromSubject(message.subject));
      if (result.ok) onTick({ ...result.tick, seq: message.seq }, Number(message.timestampNanos / 1_000_000n));
      else onReject(result.reason, result.message, message.seq);
      if (message.info.pending === 0) caughtUp();
    }
  })();
  await ready;
  return {
    async lag() {
      return (await consumer.info()).num_pending;
    },
    async stop() {
      await messages.close();
      await done;
    },
  };
}
