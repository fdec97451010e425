import { DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import {
  PRICES_STREAM,
  StreamFollower,
  decodeTick,
  symbolFromSubject,
  systemClock,
  type Clock,
  type FollowerStatus,
  type Logger,
  type NatsConnection,
  type SequencedTick,
  type TickRejectReason,
} from "@cryptostream/core";

export interface PriceFeedOptions {
  nc: NatsConnection;
  logger: Logger;
  clock?: Clock;
  /** A valid tick, with the time JetStream stored it (ms since epoch). */
  onTick: (tick: SequencedTick, storedAtMs: number) => void;
  onReject: (reason: TickRejectReason, message: string, seq: number) => void;
  /** `PRICES` was made again under the feed (its seqs count from 1 again), with its new epoch; its last ticks follow. */
  onStreamReset?: (epoch: string) => void;
}

export interface PriceFeed {
  /** Ticks in the stream not yet read, as of the feed's last look at the stream. */
  lag(): number;
  status(): FollowerStatus & { stalled: boolean };
  stop(): Promise<void>;
}

/**
 * Reads `PRICES` with an ordered consumer: the last tick of every symbol first, then every new
 * one, each validated and tagged with its stream sequence, through any restart of nats-server.
 * Resolves once it has read up to the stream's last seq as it was at the start, so a broadcaster
 * that has just started knows every symbol and where the stream is before it accepts a client
 * (a resume measured against an empty hub would skip ticks).
 */
export async function followPrices({ nc, logger, clock, onTick, onReject, onStreamReset }: PriceFeedOptions): Promise<PriceFeed> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(PRICES_STREAM);
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  const upTo = state.messages === 0 ? 0 : state.last_seq;
  if (upTo === 0) caughtUp();
  const follower = new StreamFollower({
    nc,
    stream: PRICES_STREAM,
    name: "price feed",
    logger,
    clock: clock ?? systemClock,
    // Every symbol, so no filter (pricesConsumerFilter says why): an ordered consumer reset mid-stream reads fast.
    start: () => ({ deliver_policy: DeliverPolicy.LastPerSubject }),
    onMessage: (message) => {
      const result = decodeTick(message.string(), symbolFromSubject(message.subject));
      if (result.ok) onTick({ ...result.tick, seq: message.seq }, Number(message.timestampNanos / 1_000_000n));
      else onReject(result.reason, result.message, message.seq);
      if (message.seq >= upTo) caughtUp();
    },
    onStreamReset: async () => {
      const { created } = await jsm.streams.info(PRICES_STREAM);
      onStreamReset?.(created);
    },
  });
  await follower.start();
  await ready;
  return {
    lag() {
      const { streamLastSeq, handled } = follower.status();
      return Math.max(0, streamLastSeq - handled);
    },
    status: () => ({ ...follower.status(), stalled: follower.isStalled() }),
    stop: () => follower.stop(),
  };
}
