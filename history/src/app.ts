import {
  closeServer,
  createHttpServer,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  pricesStreamSettings,
  listen,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import type { HistoryConfig } from "./config";
import { HistoryWindow } from "./history-window";
import { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
import { historyRoutes } from "./routes";

export interface HistoryService extends RunningService {
  port: number;
  window: HistoryWindow;
}

export async function startHistory({ config, nc, logger, metrics }: ServiceDeps<HistoryConfig>): Promise<HistoryService> {
  await ensurePricesStream(nc, pricesStreamSettings(config));
  const kv = await ensurePriceHistoryBucket(nc);
  const window = new HistoryWindow();
  await loadWindowFromBucket(kv, window);
  logger.info({ symbols: window.symbols().length }, "history loaded from bucket");

  const written = metrics.counter("cryptostream_history_ticks_written_total", "Ticks written to the price_history bucket");
  const writer = await startHistoryWriter({
    nc,
    kv,
    window,
    durable: config.HISTORY_DURABLE,
    logger,
    onWritten: () => written.inc(),
    onReject: (reason, message, seq) => {
      metrics.ticksRejected.inc({ stage: "history", reason });
      logger.warn({ reason, seq }, `rejected tick from PRICES: ${message}`);
    },
  });

  const server = createHttpServer({
    routes: historyRoutes(window),
    registry: metrics.registry,
    logger,
    health: () => ({
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      symbols: window.symbols().length,
    }),
  });
  const boundPort = await listen(server, config.HISTORY_PORT);
  logger.info({ port: boundPort }, "history listening");

  return {
    port: boundPort,
    window,
    async close() {
      await writer.stop();
      await closeServer(server);
    },
  };
}
