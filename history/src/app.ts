import {
  closeServer,
  createHttpServer,
  ensureAssetsBucket,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  listen,
  openWindowReads,
  pricesStreamSettings,
  systemClock,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import { AssetsCache } from "./assets-cache";
import type { CandleStore } from "./candle-store";
import { startCandles } from "./candles";
import type { HistoryConfig } from "./config";
import { historyHealth } from "./health";
import { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
import { historyMetrics } from "./metrics";
import { RecentTicks } from "./recent-ticks";
import { historyRoutes } from "./routes";

export interface HistoryService extends RunningService {
  port: number;
  window: RecentTicks;
  candles: CandleStore;
}

/** Wires history: the bucket loaded into memory, the writer that keeps both, and the HTTP API. */
export async function startHistory({ config, nc, logger, metrics, clock = systemClock }: ServiceDeps<HistoryConfig>): Promise<HistoryService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { logger });
  const kv = await ensurePriceHistoryBucket(nc, config.JETSTREAM_REPLICAS);
  const assets = new AssetsCache();
  await assets.watch(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
  const window = new RecentTicks();
  await loadWindowFromBucket(kv, window);
  logger.info({ symbols: window.symbols().length }, "history loaded from bucket");
  const measured = historyMetrics(metrics, logger, config.HISTORY_DURABLE);
  const writer = await startHistoryWriter({ nc, kv, window, durable: config.HISTORY_DURABLE, logger, clock, ...measured.writerEvents });
  const candles = await startCandles(nc, config, logger, clock, measured);
  const { windowNc, windowSlots } = await openWindowReads(config, "history-windows", logger, clock);
  measured.watch(windowSlots);
  const reads = {
    nc: windowNc,
    slots: windowSlots,
    trustedProxies: config.TRUST_PROXY,
    sendTimeoutMs: config.SEND_TIMEOUT,
    clock,
    onBusy: (reason: string) => measured.windowReadsRefused.inc({ reason }),
  };
  const server = createHttpServer({
    routes: historyRoutes({
      window,
      assets,
      candles: candles.store,
      forming: candles.writer.forming,
      reads,
      onBadRequest: (parameter) => measured.badRequests.inc({ parameter }),
      onReject: measured.rejectTick,
    }),
    registry: metrics.registry,
    logger,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    health: historyHealth({ nc, writer, durable: config.HISTORY_DURABLE, window, windowSlots, candles }),
  });
  const port = await listen(server, config.HISTORY_PORT);
  logger.info({ port }, "history listening");
  return {
    port,
    window,
    candles: candles.store,
    async close() {
      await candles.close();
      await writer.stop();
      assets.stop();
      await closeServer(server);
      await windowNc.close();
    },
  };
}
