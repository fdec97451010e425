import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, type HealthReport, type NatsConnection, type WindowReadSlots } from "@cryptostream/core";
import type { Candles } from "./candles/candles";
import type { RecentTicks } from "./price-history/recent-ticks";
import type { WriterLease } from "./lease/writer-lease";
import type { WriterRole } from "./lease/writer-role";

export interface HistoryHealthSources {
  nc: NatsConnection;
  role: WriterRole;
  lease: WriterLease;
  durable: string;
  recent: RecentTicks;
  windowSlots: WindowReadSlots;
  candles: Candles;
}

/**
 * `GET /healthz`: NATS, this instance's role and who writes, the durable consumer's lag (a writer
 * without it is not healthy: 503), symbols kept, window reads, candles.
 */
export function historyHealth({ nc, role, lease, durable, recent, windowSlots, candles }: HistoryHealthSources): () => Promise<HealthReport> {
  // Made once: each jetstreamManager() asks nats-server for its account info first.
  let jsm: Promise<JetStreamManager> | undefined;
  return async () => {
    if (!jsm) jsm = jetstreamManager(nc);
    const consumer = await consumerLag(jsm, durable).catch((error: Error) => ({ error: `durable consumer ${durable}: ${error.message}` }));
    const stalled = candles.stalled();
    return {
      ok: !nc.isClosed() && !(role.role === "writer" && "error" in consumer) && stalled === undefined,
      ...(stalled ? { reason: stalled } : {}),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      role: role.role,
      writer: lease.holder() ?? null,
      symbols: recent.symbols().length,
      consumer,
      windowReads: { active: windowSlots.active, queued: windowSlots.queued },
      candles: { kept: candles.store.size(), foldedSeq: candles.fold().foldedSeq(), backfillPending: candles.backfillPending() },
    };
  };
}

/** How far history's durable consumer is behind `PRICES` (whichever instance consumes it). */
async function consumerLag(jsm: Promise<JetStreamManager>, durable: string) {
  const info = await (await jsm).consumers.info(PRICES_STREAM, durable);
  return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
}
