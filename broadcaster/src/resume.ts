import type { JetStreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, type ResumeOutcome } from "@cryptostream/core";
import type { BroadcastHub } from "./hub";
import type { ClientSession } from "./session";
import { sendInPages, type WindowReadContext } from "./window-pages";

/** What a resume needs of its connection's context. */
export interface ResumeContext extends WindowReadContext {
  hub: BroadcastHub;
  /** Made once: each one asks the server for JetStream's info when created. */
  jsm: JetStreamManager;
  /** The epoch of `PRICES` (its creation time), as last read: sent in `hello`, checked on resume. */
  streamEpoch: { current: string };
  resumeMaxTicks: number;
  events: { onResume?: (outcome: ResumeOutcome) => void };
}

/**
 * Sends every tick of the session's symbols after `seq`, read from the stream at the
 * client's pace, then the live ticks held meanwhile: no gap, no duplicate. A point older
 * than the stream keeps (too far back, or of another epoch) gets `reset` and a fresh
 * snapshot instead, as does a resume so long that more live ticks arrived than the session may hold.
 * The caller holds the session's live ticks (`session.hold()`) from the moment it accepted
 * the request, so none slips out ahead of the older ones read here.
 */
export async function resumeFromStream(
  session: ClientSession,
  { seq, epoch }: { seq: number; epoch: string | undefined },
  context: ResumeContext,
  stopped: () => boolean,
): Promise<void> {
  const { hub } = context;
  const upTo = hub.lastSeq;
  const { state, created } = await context.jsm.streams.info(PRICES_STREAM);
  context.streamEpoch.current = created;
  const tooOld = seq + 1 < state.first_seq && upTo >= state.first_seq;
  // A seq of another epoch names another tick: the stream was made again and counts from 1.
  const otherEpoch = epoch !== undefined && epoch !== created;
  if (otherEpoch || seq > state.last_seq || tooOld || upTo - seq > context.resumeMaxTicks) return resetSession(session, context);
  if (session.throttleMs !== undefined) return catchUpThrottled(session, context);
  if (upTo > seq) {
    const window = { symbols: session.symbols ? [...session.symbols] : [], fromSeq: seq + 1, toSeq: upTo, limit: context.resumeMaxTicks };
    await sendInPages(session, window, context, (ticks) => session.sendTicks(ticks), stopped);
    if (stopped()) return;
  }
  if (session.heldOverflowed) return resetSession(session, context);
  context.events.onResume?.("caught_up");
  session.release(Math.max(seq, upTo));
}

/** A throttled client takes the latest of each symbol, not every tick: the snapshot, then live. */
function catchUpThrottled(session: ClientSession, context: ResumeContext): void {
  context.events.onResume?.("caught_up");
  session.send({ type: "snapshot", ticks: context.hub.snapshotFor(session) });
  session.dropHeld(context.hub.lastSeq);
}

function resetSession(session: ClientSession, context: ResumeContext): void {
  context.events.onResume?.("reset");
  session.send({ type: "reset", epoch: context.streamEpoch.current });
  session.send({ type: "snapshot", ticks: context.hub.snapshotFor(session) });
  session.dropHeld(context.hub.lastSeq);
}
