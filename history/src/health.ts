import type { HealthReport, NatsConnection, WindowReadSlots } from "@cryptostream/core";
import type { Candles } from "./candles";
import type { HistoryWriter } from "./history-writer";
import type { RecentTicks } from "./recent-ticks";

export interface HistoryHealthSources {
  nc: NatsConnection;
  writer: HistoryWriter;
  durable: string;
  window: RecentTicks;
  windowSlots: WindowReadSlots;
  candles: Candles;
}

/** `GET /healthz`: NATS, the durable consumer's lag (503 while it is missing), symbols kept, window reads, candles. */
export function historyHealth({ nc, writer, durable, window, windowSlots, candles }: HistoryHealthSources): () => Promise<HealthReport> {
  return async () => {
    const consumer = await writer.lag().catch((error: Error) => ({ error: `durable consumer ${durable}: ${error.message}` }));
    return {
      // Without its consumer history writes nothing: not healthy, whatever else answers.
      ok: !nc.isClosed() && !("error" in consumer),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      symbols: window.symbols().length,
      consumer,
      windowReads: { active: windowSlots.active, queued: windowSlots.queued },
      candles: { kept: candles.store.size(), foldedSeq: candles.writer.foldedSeq(), backfillPending: candles.backfill?.pending ?? 0 },
    };
  };
}
