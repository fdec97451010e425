import {
  WindowReadSlots,
  closeServer,
  connectNats,
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
import { RecentTicks } from "./recent-ticks";
import { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
import { historyRoutes } from "./routes";

export interface HistoryService extends RunningService {
  port: number;
  window: RecentTicks;
}

export async function startHistory({ config, nc, logger, metrics }: ServiceDeps<HistoryConfig>): Promise<HistoryService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { logger });
  const kv = await ensurePriceHistoryBucket(nc, config.JETSTREAM_REPLICAS);
  const assets = new AssetsCache();
  await assets.watch(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
  const window = new RecentTicks();
  await loadWindowFromBucket(kv, window);
  logger.info({ symbols: window.symbols().length }, "history loaded from bucket");

  const written = metrics.counter("cryptostream_history_ticks_written_total", "Ticks written to the price_history bucket");
  const badRequests = metrics.counter("cryptostream_history_bad_requests_total", "Requests refused with 400, by the parameter that was wrong", ["parameter"]);
  const consumerRestarts = metrics.counter(
    "cryptostream_history_consumer_restarts_total",
    "Times the durable consumer was recreated to deliver again ticks that were delivered but never written",
  );
  const consumersLost = metrics.counter(
    "cryptostream_history_consumer_lost_total",
    "Times history's durable consumer was found deleted and made again from the first tick not written",
  );
  const windowReadsRefused = metrics.counter("cryptostream_history_window_reads_refused_total", "GET /api/ticks refused with 429, by reason", ["reason"]);
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
    onConsumerLost: (fromSeq) => {
      consumersLost.inc();
      logger.error({ durable: config.HISTORY_DURABLE, fromSeq }, "history's durable consumer was deleted: made it again from the first tick not written");
    },
  });

  // /api/ticks reads on a connection of its own: the server dropping it as a slow consumer
  // under a flood of reads never stops the writer.
  const windowNc = await connectNats({
    url: config.NATS_URL,
    name: "history-windows",
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    logger: logger.child({ connection: "windows" }),
  });
  const windowSlots = new WindowReadSlots({
    maxConcurrent: config.WINDOW_READS_MAX,
    maxPerClient: config.WINDOW_READS_PER_IP,
    maxQueued: config.WINDOW_READS_QUEUE,
    maxWaitMs: config.WINDOW_READS_WAIT,
  });
  metrics.gauge("cryptostream_history_window_reads", "GET /api/ticks reads running now", () => windowSlots.active);

  const server = createHttpServer({
    routes: historyRoutes({
      window,
      assets,
      reads: {
        nc: windowNc,
        slots: windowSlots,
        trustedProxies: config.TRUST_PROXY,
        sendTimeoutMs: config.SEND_TIMEOUT,
        onBusy: (reason) => windowReadsRefused.inc({ reason }),
      },
      onBadRequest: (parameter) => badRequests.inc({ parameter }),
      onReject: rejectTick,
    }),
    registry: metrics.registry,
    logger,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    health: async () => {
      const consumer = await writer.lag().catch((error: Error) => ({ error: `durable consumer ${config.HISTORY_DURABLE}: ${error.message}` }));
      return {
        // Without its consumer history writes nothing: not healthy, whatever else answers.
        ok: !nc.isClosed() && !("error" in consumer),
        nats: { connected: !nc.isClosed(), server: nc.getServer() },
        symbols: window.symbols().length,
        consumer,
        windowReads: { active: windowSlots.active, queued: windowSlots.queued },
      };
    },
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
      await windowNc.close();
    },
  };
}
