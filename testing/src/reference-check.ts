import { ReferenceBook, decodeTick, type ReferenceSettings } from "@cryptostream/core";
import type { StoredMessage } from "./stream-reader";

export interface ReferenceCheck {
  /** Venue ticks in `TICKS`, and those whose event (msg id) is there more than once. */
  venueTicks: number;
  venueTwice: string[];
  /** Reference ticks a recomputation from `TICKS` makes, and how many inputs made none (withheld). */
  expected: number;
  withheld: number;
  /** Msg ids of reference ticks: recomputed but not in `PRICES`, in `PRICES` but not recomputed, there twice, or there with other content. */
  missing: string[];
  extra: string[];
  twice: string[];
  differing: string[];
}

/**
 * Recomputes every reference tick from the venue ticks of `TICKS`, in stream order, and compares
 * them with the reference ticks in `PRICES` (those with a `ref:` msg id), each by its msg id.
 */
export function checkReferences(ticks: readonly StoredMessage[], prices: readonly StoredMessage[], settings: ReferenceSettings): ReferenceCheck {
  const book = new ReferenceBook(settings);
  const venueIds = new Set<string>();
  const venueTwice: string[] = [];
  const expected = new Map<string, string>();
  let withheld = 0;
  for (const message of ticks) {
    if (message.msgId !== undefined && venueIds.has(message.msgId)) venueTwice.push(message.msgId);
    if (message.msgId !== undefined) venueIds.add(message.msgId);
    const decoded = decodeTick(message.data, message.subject.split(".")[2]);
    if (!decoded.ok) continue;
    const outcome = book.apply({ seq: message.seq, storedAt: message.storedAt, tick: decoded.tick });
    if (outcome.kind === "tick") expected.set(outcome.msgId, JSON.stringify(outcome.tick));
    else withheld++;
  }
  const stored = new Map<string, string>();
  const twice: string[] = [];
  for (const message of prices) {
    if (!message.msgId?.startsWith("ref:")) continue;
    if (stored.has(message.msgId)) twice.push(message.msgId);
    stored.set(message.msgId, message.data);
  }
  return {
    venueTicks: ticks.length,
    venueTwice,
    expected: expected.size,
    withheld,
    missing: [...expected.keys()].filter((id) => !stored.has(id)),
    extra: [...stored.keys()].filter((id) => !expected.has(id)),
    twice,
    differing: [...expected].filter(([id, data]) => stored.has(id) && stored.get(id) !== data).map(([id]) => id),
  };
}
