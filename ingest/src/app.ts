import {
  closeServer,
  createHttpServer,
  ensurePricesStream,
  listen,
  pricesStreamSettings,
  systemClock,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import type { IngestConfig } from "./config";
import { ingestHealth } from "./health";
import { ingestMetrics } from "./metrics";
import { TickPublisher } from "./publisher";
import { SourceSelector } from "./source-selector";
import { BINANCE_SOURCE } from "./sources/binance-parse";
import { COINGECKO_SOURCE } from "./sources/coingecko-parse";
import { TickGate } from "./tick-gate";
import { TickRouter } from "./tick-router";
import { binanceFeeds, coinGeckoPollers, sourceReporter } from "./upstreams";

export type IngestDeps = ServiceDeps<IngestConfig>;

export interface IngestService extends RunningService {
  port: number;
  publisher: TickPublisher;
}

/** Wires ingest: the upstreams through the selector and the gate to the publisher, and its HTTP server. */
export async function startIngest({ config, nc, logger, metrics, clock = systemClock }: IngestDeps): Promise<IngestService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { mayUpdate: true, logger });
  const measured = ingestMetrics(metrics);
  const publisher = new TickPublisher({
    nc,
    logger,
    clock,
    onPublished: (tick, duplicate) => measured.published.inc({ source: tick.source, duplicate: String(duplicate) }),
    onDropped: () => measured.dropped.inc(),
    onRetry: (tick, error) => {
      measured.retries.inc();
      logger.debug({ symbol: tick.symbol, err: error.message }, "publish failed");
    },
  });
  measured.watchPending(() => publisher.pending);
  const gate = new TickGate({ maxPriceJump: config.MAX_PRICE_JUMP, maxFutureMs: config.MAX_CLOCK_SKEW, maxAgeMs: config.MAX_TICK_AGE }, () => clock.now());
  const primary = config.SOURCES.includes("binance") ? BINANCE_SOURCE : COINGECKO_SOURCE;
  const fallback = primary === BINANCE_SOURCE ? COINGECKO_SOURCE : BINANCE_SOURCE;
  const selector = new SourceSelector(primary, config.FAILOVER_AFTER, config.FAILBACK_AFTER, () => clock.now());
  const router = new TickRouter(selector, gate, publisher, measured, logger);
  const upstreamDeps = { config, router, measured, logger, clock };
  const feeds = binanceFeeds(upstreamDeps);
  const pollers = await coinGeckoPollers(nc, upstreamDeps);
  const reporter = sourceReporter(nc, feeds, pollers, upstreamDeps);

  const health = ingestHealth({ nc, feeds, pollers, reporter, symbols: config.SYMBOLS, router, selector, primary, fallback, publisher, clock });
  const server = createHttpServer({ health, registry: metrics.registry, logger });
  const port = await listen(server, config.INGEST_PORT);
  feeds.forEach((feed) => feed.start());
  pollers.forEach((poller) => poller.start());
  reporter.start();
  logger.info({ port, symbols: config.SYMBOLS, sources: config.SOURCES }, "ingest started");

  return {
    port,
    publisher,
    async close() {
      feeds.forEach((feed) => feed.close());
      pollers.forEach((poller) => poller.close());
      reporter.close();
      await publisher.flush();
      publisher.close();
      await closeServer(server);
    },
  };
}
