import { DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { CANDLES_STREAM, StreamFollower, decodeCandle, systemClock, type Clock, type Logger, type NatsConnection } from "@cryptostream/core";
import { AppliedSeq } from "../applied-seq";
import type { CandleStore } from "./candle-store";

export interface CandleFeedOptions {
  nc: NatsConnection;
  store: CandleStore;
  logger: Logger;
  /** Catch-up waits go by it. */
  clock?: Clock;
  /** A stored message that is not a candle: skipped. */
  onReject?: (message: string, seq: number) => void;
}

export interface CandleFeed {
  /** Resolves once every candle `CANDLES` holds now is in the store. */
  caughtUp(): Promise<void>;
  /** The stream seq of a subject's last candle this feed has applied (0: none). */
  lastSeqOf(subject: string): number;
  /** Whether it has stopped while `CANDLES` grows. */
  isStalled(): boolean;
  stop(): Promise<void>;
}

/**
 * Keeps `store` equal to `CANDLES`: reads the whole stream with an ordered consumer, then
 * every new candle, through any restart of nats-server. Resolves once every candle stored when
 * it started is in the store.
 */
export async function followCandles({ nc, store, logger, onReject, clock = systemClock }: CandleFeedOptions): Promise<CandleFeed> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(CANDLES_STREAM);
  let caughtUp: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (caughtUp = resolve));
  if (state.messages === 0) caughtUp();
  const applied = new AppliedSeq(clock, "CANDLES feed");
  const lastSeqs = new Map<string, number>();
  const follower = new StreamFollower({
    nc,
    stream: CANDLES_STREAM,
    name: "CANDLES feed",
    logger,
    clock,
    start: () => ({ deliver_policy: DeliverPolicy.All }),
    onMessage: (message) => {
      lastSeqs.set(message.subject, message.seq);
      const result = decodeCandle(message.string());
      if (result.ok) store.put(result.candle);
      else onReject?.(result.message, message.seq);
      applied.advance(message.seq);
      if (message.seq >= state.last_seq || message.info.pending === 0) caughtUp();
    },
  });
  await follower.start();
  await ready;
  return {
    lastSeqOf: (subject) => lastSeqs.get(subject) ?? 0,
    isStalled: () => follower.isStalled(),
    async caughtUp() {
      const { state: now } = await jsm.streams.info(CANDLES_STREAM);
      // An emptied stream keeps its last seq, with no message left to bring the feed there.
      const target = now.messages === 0 ? 0 : now.last_seq;
      await applied.reach(target);
    },
    stop: () => follower.stop(),
  };
}
