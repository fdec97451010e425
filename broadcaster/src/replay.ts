import type { ClientSession } from "./session";
import { sendInPages, type WindowReadContext } from "./window-pages";

/** Most ticks one replay sends. */
export const REPLAY_LIMIT = 100_000;

export interface ReplayWindow {
  sinceMs: number;
  untilMs: number;
  symbols: string[];
}

/** Sends the ticks of a past window as `replay` pages at the client's pace, then `replay_end`. */
export async function replayWindow(session: ClientSession, window: ReplayWindow, context: WindowReadContext, stopped: () => boolean): Promise<void> {
  const count = await sendInPages(session, { ...window, limit: REPLAY_LIMIT }, context, (ticks) => session.send({ type: "replay", ticks }), stopped);
  if (stopped()) return;
  session.send({ type: "replay_end", count });
}
