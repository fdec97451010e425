import {
  closeServer,
  createHttpServer,
  ensureAssetsBucket,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  ensureWriterLeaseBucket,
  listen,
  openWindowReads,
  pricesStreamSettings,
  systemClock,
  type Clock,
  type NatsConnection,
  type Route,
  type RunningService,
  type ServiceDeps,
  type WindowReadSlots,
} from "@cryptostream/core";
import { AssetsCache } from "./http/assets-cache";
import type { CandleStore } from "./candles/candle-store";
import { startCandles, type Candles } from "./candles/candles";
import type { HistoryConfig } from "./config";
import { historyHealth } from "./health";
import { BucketMirror } from "./price-history/bucket-mirror";
import { historyMetrics, type HistoryMetrics } from "./metrics";
import type { RecentTicks } from "./price-history/recent-ticks";
import { historyRoutes } from "./http/routes";
import { electWriter, type WriterRole } from "./lease/writer-role";

export interface HistoryService extends RunningService {
  port: number;
  recent: RecentTicks;
  candles: CandleStore;
  role: WriterRole;
}

/**
 * Wires history: `price_history` and `CANDLES` followed into memory, the HTTP API from them, and
 * the writer lease; while this instance holds it, the writers that keep both.
 */
export async function startHistory({ config, nc, logger, metrics, clock = systemClock }: ServiceDeps<HistoryConfig>): Promise<HistoryService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { logger });
  const kv = await ensurePriceHistoryBucket(nc, config.JETSTREAM_REPLICAS);
  const assets = new AssetsCache();
  await assets.watch(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
  const mirror = await BucketMirror.follow(kv, clock);
  logger.info({ symbols: mirror.recent.symbols().length }, "history loaded from bucket");
  const measured = historyMetrics(metrics, logger, config.HISTORY_DURABLE);
  const candles = await startCandles(nc, config, logger, clock, measured.candleEvents);
  const { lease, role } = await electWriter({
    kv: await ensureWriterLeaseBucket(nc, config.JETSTREAM_REPLICAS),
    instance: config.HISTORY_INSTANCE,
    mirror,
    candles,
    writer: { nc, kv, durable: config.HISTORY_DURABLE, logger, clock, ...measured.writerEvents },
    logger,
    clock,
    events: measured.leaseEvents,
  });
  const { windowNc, windowSlots } = await openWindowReads(config, "history-windows", logger, clock);
  measured.watch(windowSlots);
  const server = createHttpServer({
    routes: apiRoutes(config, { mirror, assets, candles, clock, measured }, { windowNc, windowSlots }),
    registry: metrics.registry,
    logger,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    health: historyHealth({ nc, role, lease, durable: config.HISTORY_DURABLE, recent: mirror.recent, windowSlots, candles }),
  });
  const port = await listen(server, config.HISTORY_PORT);
  logger.info({ port }, "history listening");
  return {
    port,
    recent: mirror.recent,
    candles: candles.store,
    role,
    async close() {
      await lease.close();
      await candles.close();
      await mirror.stop();
      assets.stop();
      await closeServer(server);
      await windowNc.close();
    },
  };
}

/** The HTTP API of this instance: from its memory, and windows of `PRICES` on the window reads' connection. */
function apiRoutes(
  config: HistoryConfig,
  { mirror, assets, candles, clock, measured }: { mirror: BucketMirror; assets: AssetsCache; candles: Candles; clock: Clock; measured: HistoryMetrics },
  { windowNc, windowSlots }: { windowNc: NatsConnection; windowSlots: WindowReadSlots },
): Route[] {
  return historyRoutes({
    recent: mirror.recent,
    assets,
    candles: candles.store,
    forming: (interval, symbol) => candles.fold().forming(interval, symbol),
    reads: {
      nc: windowNc,
      slots: windowSlots,
      trustedProxies: config.TRUST_PROXY,
      sendTimeoutMs: config.SEND_TIMEOUT,
      clock,
      onBusy: (reason) => measured.windowReadsRefused.inc({ reason }),
    },
    clock,
    onBadRequest: (parameter) => measured.badRequests.inc({ parameter }),
    onReject: measured.rejectTick,
  });
}
