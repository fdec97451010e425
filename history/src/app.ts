import {
  closeServer,
  createHttpServer,
  ensureAssetsBucket,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  pricesStreamSettings,
  listen,
  type RunningService,
  type ServiceDeps,
  type TickRejectReason,
} from "@cryptostream/core";
import type { HistoryConfig } from "./config";
import { AssetsCache } from "./assets-cache";
import { HistoryWindow } from "./history-window";
import { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
import { historyRoutes } from "./routes";

export interface HistoryService extends RunningService {
  port: number;
  window: HistoryWindow;
}

export async function startHistory({ config, nc, logger, metrics }: ServiceDeps<HistoryConfig>): Promise<HistoryService> {
  await ensurePricesStream(nc, pricesStreamSettings(config));
  const kv = await ensurePriceHistoryBucket(nc, config.JETSTREAM_REPLICAS);
  const assets = new AssetsCache();
  await assets.watch(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
  const window = new HistoryWindow();
  await loadWindowFromBucket(kv, window);
  logger.info({ symbols: window.symbols().length }, "history loaded from bucket");

  const written = metrics.counter("cryptostream_history_ticks_written_total", "Ticks written to the price_history bucket");
  const badRequests = metrics.counter(
    "cryptostream_history_bad_requests_total",
    "Requests refused with 400, by the parameter that was wrong",
    ["parameter"],
  );
  const consumerRestarts = metrics.counter(
    "cryptostream_history_consumer_restarts_total",
    "Times the durable consumer was recreated to deliver again ticks that were delivered but never written",
  );
  const rejectTick = (reason: TickRejectReason, message: string, seq: number) => {
    metrics.ticksRejected.inc({ stage: "history", reason });
    logger.warn({ reason, seq }, `rejected tick from PRICES: ${message}`);
  };
  const writer = await startHistoryWriter({
    nc,
    kv,
    window,
    durable: config.HISTORY_DURABLE,
    logger,
    onWritten: () => written.inc(),
    onReject: rejectTick,
    onRestart: (fromSeq) => {
      consumerRestarts.inc();
      logger.warn({ fromSeq }, "ticks delivered earlier were never written: consuming again from the first of them");
    },
  });

  const server = createHttpServer({
    routes: historyRoutes({
      window,
      assets,
      nc,
      onBadRequest: (parameter) => badRequests.inc({ parameter }),
      onReject: rejectTick,
    }),
    registry: metrics.registry,
    logger,
    health: async () => ({
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      symbols: window.symbols().length,
      consumer: await writer.lag().catch((error: Error) => ({ error: error.message })),
    }),
  });
  const boundPort = await listen(server, config.HISTORY_PORT);
  logger.info({ port: boundPort }, "history listening");

  return {
    port: boundPort,
    window,
    async close() {
      await writer.stop();
      assets.stop();
      await closeServer(server);
    },
  };
}
