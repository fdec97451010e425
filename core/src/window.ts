import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { PRICE_SUBJECTS, PRICES_STREAM, priceSubject, symbolFromSubject } from "./contracts/names";
import { decodeTick, type SequencedTick, type TickRejectReason } from "./contracts/tick";

export interface TickWindow {
  /** Only these symbols; all when empty or absent. */
  symbols?: readonly string[];
  /** ms since epoch: start at the first tick stored at or after this time. */
  sinceMs?: number;
  /** Or start at this stream sequence. */
  fromSeq?: number;
  /** ms since epoch: stop at the first tick stored after this time; default now. */
  untilMs?: number;
  /** Stop after this stream sequence. */
  toSeq?: number;
  /** At most this many ticks. */
  limit: number;
}

export interface TickWindowVisitor {
  /** Called for each tick in stream order; a returned promise is awaited before the next (backpressure). */
  onTick: (tick: SequencedTick) => void | Promise<void>;
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
  /** Checked after each tick; true stops the read (a client went away). */
  stopped?: () => boolean;
}

/**
 * Visits the ticks `PRICES` keeps for a window, in stream order, read with an
 * ordered consumer that starts at `sinceMs` or `fromSeq`. Ends at `untilMs`, at
 * `toSeq`, at `limit`, or at the last tick stored when the read began, whichever
 * comes first. One symbol
 * is filtered by the server; several are filtered here, since a filter is one
 * subject on nats-server 2.9. Resolves with the number of ticks visited.
 */
export async function visitTickWindow(nc: NatsConnection, window: TickWindow, visitor: TickWindowVisitor): Promise<number> {
  const symbols = window.symbols && window.symbols.length > 0 ? new Set(window.symbols) : undefined;
  const single = symbols?.size === 1 ? [...symbols][0]! : undefined;
  const consumer = await jetstream(nc).consumers.get(PRICES_STREAM, {
    filter_subjects: single ? priceSubject(single) : PRICE_SUBJECTS,
    ...(window.fromSeq !== undefined
      ? { opt_start_seq: Math.max(1, window.fromSeq) }
      : { opt_start_time: new Date(window.sinceMs ?? 0).toISOString() }),
  });
  const toSeq = window.toSeq ?? Number.MAX_SAFE_INTEGER;
  // Without an explicit end the read stops at the last tick stored when it began (pending 0),
  // so the stored time of each tick need not be parsed.
  const untilNanos = window.untilMs === undefined ? undefined : BigInt(window.untilMs) * 1_000_000n;
  if ((await consumer.info(true)).num_pending === 0 || window.limit <= 0) {
    await consumer.delete().catch(() => undefined);
    return 0;
  }
  const messages = await consumer.consume({ max_messages: Math.min(window.limit, 8_192) });
  let visited = 0;
  try {
    for await (const message of messages) {
      const info = message.info;
      if (info.streamSequence > toSeq || (untilNanos !== undefined && message.timestampNanos > untilNanos)) break;
      const symbol = symbolFromSubject(message.subject);
      if (!symbols || (symbol && symbols.has(symbol))) {
        const result = decodeTick(message.string(), symbol);
        if (result.ok) {
          const pending = visitor.onTick({ ...result.tick, seq: info.streamSequence });
          if (pending) await pending;
          if (++visited >= window.limit || visitor.stopped?.()) break;
        } else {
          visitor.onReject?.(result.reason, result.message, info.streamSequence);
        }
      }
      if (info.pending === 0 || info.streamSequence === toSeq) break;
    }
  } finally {
    await messages.close();
    await consumer.delete().catch(() => undefined);
  }
  return visited;
}
