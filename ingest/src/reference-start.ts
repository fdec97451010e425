import { DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, TICKS_STREAM, decodeTick, priceSubject, referenceInputSeq } from "@cryptostream/core";

/** Where a follower of `TICKS` starts reading, and the last input already referenced. */
export interface ReferenceStart {
  /** Read from this stored time (ms), or from the stream's start when absent. */
  fromTime?: number;
  /** Inputs up to this `TICKS` seq have their reference tick in `PRICES` already: read into the book, not published. */
  referencedUpTo: number;
}

/**
 * From `PRICES`' last message, the `TICKS` seq it was made from; the follower reads `memoryMs`
 * of `TICKS` before that input, so its book stands where the one that published it stood.
 * With no reference tick in `PRICES` (a new stream, or one from before reference prices), every
 * venue tick is referenced from the start of `TICKS`.
 */
export async function referenceStart(jsm: JetStreamManager, memoryMs: number): Promise<ReferenceStart> {
  const referencedUpTo = await lastReferencedSeq(jsm);
  if (referencedUpTo === 0) return { referencedUpTo };
  // PRICES outlived the TICKS it was formed from (TICKS was made again): nothing of this TICKS is referenced yet.
  if (referencedUpTo > (await jsm.streams.info(TICKS_STREAM)).state.last_seq) return { referencedUpTo: 0 };
  const input = await jsm.streams.getMessage(TICKS_STREAM, { seq: referencedUpTo }).catch(() => null);
  if (!input) return { referencedUpTo };
  return { fromTime: input.time.getTime() - memoryMs, referencedUpTo };
}

/** The ordered consumer settings that read from `start`. */
export function startConsumerOptions(start: ReferenceStart) {
  return start.fromTime === undefined
    ? { deliver_policy: DeliverPolicy.All }
    : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Math.max(0, start.fromTime)).toISOString() };
}

/** The `TICKS` seq of the last reference tick in `PRICES` (whoever published it); 0 when there is none. */
export async function lastReferencedSeq(jsm: JetStreamManager): Promise<number> {
  const { state } = await jsm.streams.info(PRICES_STREAM);
  if (state.messages === 0) return 0;
  const last = await jsm.streams.getMessage(PRICES_STREAM, { seq: state.last_seq }).catch(() => null);
  return referenceInputSeq(last?.header?.get("Nats-Msg-Id")) ?? 0;
}

/** Each symbol's last reference price in `PRICES` and when it was stored, for the gate's evidence at start; symbols with none are left out. */
export async function lastReferencePrices(jsm: JetStreamManager, symbols: readonly string[]): Promise<{ symbol: string; price: number; storedAt: number }[]> {
  const found = await Promise.all(
    symbols.map(async (symbol) => {
      const stored = await jsm.streams.getMessage(PRICES_STREAM, { last_by_subj: priceSubject(symbol) }).catch(() => null);
      const decoded = stored ? decodeTick(stored.string(), symbol) : undefined;
      return decoded?.ok ? [{ symbol, price: decoded.tick.price, storedAt: stored!.time.getTime() }] : [];
    }),
  );
  return found.flat();
}
