import { visitTickWindow, type NatsConnection, type SequencedTick, type TickWindow } from "@cryptostream/core";
import { PAGE, type ClientSession } from "./session";

/** What a read of a past window for one client needs. */
export interface WindowReadContext {
  /** The connection replays and resumes read on: apart from the live feed's, so no read can take that down. */
  windowNc: NatsConnection;
  /** How long a replay or resume waits for a client over the soft limit before closing it. */
  sendTimeoutMs: number;
}

/**
 * Visits a window of `PRICES` and hands its ticks to `sendPage` in pages of {@link PAGE}, each
 * after the client took the one before (the read goes at the client's pace). Resolves with the
 * number of ticks visited; nothing more is sent once `stopped`.
 */
export async function sendInPages(
  session: ClientSession,
  window: TickWindow,
  context: WindowReadContext,
  sendPage: (ticks: SequencedTick[]) => void,
  stopped: () => boolean,
): Promise<number> {
  let page: SequencedTick[] = [];
  const count = await visitTickWindow(context.windowNc, window, {
    onTick: (tick) => {
      page.push(tick);
      if (page.length < PAGE) return;
      sendPage(page);
      page = [];
      return session.whenDrained(context.sendTimeoutMs);
    },
    stopped,
  });
  if (!stopped() && page.length > 0) sendPage(page);
  return count;
}
