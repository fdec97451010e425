import {
  closeServer,
  createHttpServer,
  ensureAssetsBucket,
  ensureCandlesStream,
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
import { followCandles } from "./candle-feed";
import { CandleStore } from "./candle-store";
import { startCandleWriter } from "./candle-writer";
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
  await ensureCandlesStream(nc, config.JETSTREAM_REPLICAS);
  const candles = new CandleStore();
  const candleFeed = await followCandles({ nc, store: candles, onReject: (message, seq) => logger.warn({ seq }, `not a candle in CANDLES: ${message}`) });
  logger.info({ candles: candles.size() }, "candles loaded from CANDLES");
  const candleWriter = await startCandleWriter({ nc, store: candles, logger, clock, ...measured.candleEvents });
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
      candles,
      forming: candleWriter.forming,
      reads,
      onBadRequest: (parameter) => measured.badRequests.inc({ parameter }),
      onReject: measured.rejectTick,
    }),
    registry: metrics.registry,
    logger,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    health: historyHealth({ nc, writer, durable: config.HISTORY_DURABLE, window, windowSlots, candles, candleWriter }),
  });
  const port = await listen(server, config.HISTORY_PORT);
  logger.info({ port }, "history listening");
  return {
    port,
    window,
    candles,
    async close() {
      await candleWriter.stop();
      await candleFeed.stop();
      await writer.stop();
      assets.stop();
      await closeServer(server);
      await windowNc.close();
    },
  };
}
