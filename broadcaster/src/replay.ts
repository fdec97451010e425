import { visitTickWindow, type SequencedTick } from "@cryptostream/core";
import type { ConnectionContext } from "./connection";
import { PAGE } from "./resume";
import type { ClientSession } from "./session";

/** Most ticks one replay sends. */
export const REPLAY_LIMIT = 100_000;

export interface ReplayWindow {
  sinceMs: number;
  untilMs: number;
  symbols: string[];
}

/** Sends the ticks of a past window as `replay` pages at the client's pace, then `replay_end`. */
export async function replayWindow(session: ClientSession, window: ReplayWindow, context: ConnectionContext, stopped: () => boolean): Promise<void> {
  let page: SequencedTick[] = [];
  const count = await visitTickWindow(
    context.windowNc,
    { ...window, limit: REPLAY_LIMIT },
    {
      onTick: (tick) => {
        page.push(tick);
        if (page.length < PAGE) return;
        session.send({ type: "replay", ticks: page });
        page = [];
        return session.whenDrained(context.sendTimeoutMs);
      },
      stopped,
    },
  );
  if (stopped()) return;
  if (page.length > 0) session.send({ type: "replay", ticks: page });
  session.send({ type: "replay_end", count });
}
