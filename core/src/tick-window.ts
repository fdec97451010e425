import type { NatsConnection } from "@nats-io/transport-node";
import type { TickRejectReason } from "./contracts/codes";
import { decodeTick, type SequencedTick } from "./contracts/tick";
import { isTimeInRange } from "./contracts/time-bound";
import { readStoredTicks, type StoredTickRange } from "./stored-tick-reader";

export interface TickWindow extends StoredTickRange {
  /** At most this many ticks. */
  limit: number;
}

export interface TickWindowVisitor {
  /**
   * Called for each tick in stream order. `storedJson` is the tick's JSON as stored (without
   * `seq`) when it is exactly the tick, so a writer can reuse it instead of encoding again.
   * A returned promise pauses the read until it settles (backpressure).
   */
  onTick: (tick: SequencedTick, storedJson: string | undefined) => void | Promise<void>;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
  /** Checked after each tick; true stops the read (a client went away). */
  stopped?: () => boolean;
}

/**
 * Visits the ticks `PRICES` keeps for a window, in stream order. Starts at `sinceMs` or
 * `fromSeq`; ends at `untilMs`, at `toSeq`, at `limit`, or at the last tick stored when the
 * read began, whichever comes first. Resolves with the number of ticks visited.
 */
export async function visitTickWindow(nc: NatsConnection, window: TickWindow, visitor: TickWindowVisitor): Promise<number> {
  const problem = windowProblem(window);
  if (problem) throw new RangeError(`invalid tick window: ${problem}`);
  if (window.limit <= 0) return 0;
  let visited = 0;
  const textDecoder = new TextDecoder();
  await readStoredTicks(nc, window, {
    onStored: (data, seq, symbol) => {
      // The client hands payloads over as Buffers, whose decoder is three times TextDecoder's speed.
      const json = Buffer.isBuffer(data) ? data.toString() : textDecoder.decode(data);
      const result = decodeTick(json, symbol);
      if (!result.ok) {
        visitor.onReject?.(result.reason, result.message, seq);
        return;
      }
      // decodeTick made this object for us alone: adding seq in place saves a copy per tick.
      const tick = result.tick as SequencedTick;
      tick.seq = seq;
      visited++;
      return visitor.onTick(tick, result.exact ? json : undefined);
    },
    done: () => visited >= window.limit || visitor.stopped?.() === true,
  });
  return visited;
}

/** What is wrong with a window's bounds, if anything: a read must never start from a value no server or `Date` can take. */
export function windowProblem(window: TickWindow): string | undefined {
  for (const name of ["sinceMs", "untilMs"] as const) {
    const value = window[name];
    if (value !== undefined && !isTimeInRange(value)) return `${name} ${value} is not a time between the epoch and 8.64e15 ms`;
  }
  for (const name of ["fromSeq", "toSeq", "limit"] as const) {
    const value = window[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) return `${name} ${value} is not a non-negative integer`;
  }
  return undefined;
}
