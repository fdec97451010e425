import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { PRICE_SUBJECTS, PRICES_STREAM, priceSubject, symbolFromSubject } from "./contracts/names";
import { decodeTick, type SequencedTick, type TickRejectReason } from "./contracts/tick";

export interface TickWindow {
  /** Only these symbols; all when empty or absent. */
  symbols?: readonly string[];
  /** ms since epoch: the first tick stored at or after this time. */
  sinceMs: number;
  /** ms since epoch: stop at the first tick stored after this time; default now. */
  untilMs?: number;
  /** At most this many ticks. */
  limit: number;
}

export interface TickWindowOptions {
  onReject?: (reason: TickRejectReason, message: string, seq: number) => void;
}

/**
 * The ticks `PRICES` keeps for a window, in stream order, read with an ordered
 * consumer that starts at `sinceMs`. Ends at `untilMs`, at `limit`, or at the
 * last tick stored when the read began, whichever comes first. One symbol is
 * filtered by the server; several are filtered here, since a filter is one
 * subject on nats-server 2.9.
 */
export async function* readTickWindow(
  nc: NatsConnection,
  window: TickWindow,
  options: TickWindowOptions = {},
): AsyncGenerator<SequencedTick> {
  const symbols = window.symbols && window.symbols.length > 0 ? new Set(window.symbols) : undefined;
  const single = symbols?.size === 1 ? [...symbols][0]! : undefined;
  const consumer = await jetstream(nc).consumers.get(PRICES_STREAM, {
    filter_subjects: single ? priceSubject(single) : PRICE_SUBJECTS,
    opt_start_time: new Date(window.sinceMs).toISOString(),
  });
  const untilNanos = BigInt(window.untilMs ?? Date.now()) * 1_000_000n;
  const pending = (await consumer.info(true)).num_pending;
  if (pending === 0 || window.limit <= 0) {
    await consumer.delete().catch(() => undefined);
    return;
  }
  const messages = await consumer.consume({ max_messages: Math.min(window.limit, 4_096) });
  let sent = 0;
  try {
    for await (const message of messages) {
      if (BigInt(message.info.timestampNanos) > untilNanos) break;
      const symbol = symbolFromSubject(message.subject);
      if (!symbols || (symbol && symbols.has(symbol))) {
        const result = decodeTick(message.string(), symbol);
        if (result.ok) {
          yield { ...result.tick, seq: message.seq };
          if (++sent >= window.limit) break;
        } else {
          options.onReject?.(result.reason, result.message, message.seq);
        }
      }
      if (message.info.pending === 0) break;
    }
  } finally {
    await messages.close();
    await consumer.delete().catch(() => undefined);
  }
}
