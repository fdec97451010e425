import { jetstreamManager } from "@nats-io/jetstream";
import {
  INDEX_SOURCE,
  PRICES_STREAM,
  TICKS_STREAM,
  closeServer,
  createHttpServer,
  ensurePricesStream,
  listen,
  pricesStreamSettings,
  referenceSettings,
  systemClock,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import type { IngestConfig } from "./config";
import { ingestHealth } from "./health";
import { ingestMetrics, type IngestMetrics } from "./metrics";
import { TickPublisher } from "./publisher";
import { ReferenceBoard } from "./reference-board";
import { ReferenceFollower } from "./reference-follower";
import { lastReferencePrices } from "./reference-start";
import { TickGate } from "./tick-gate";
import { TickRouter } from "./tick-router";
import { allUpstreams, sourceReporter, upstreams } from "./upstreams";

export type IngestDeps = ServiceDeps<IngestConfig>;

export interface IngestService extends RunningService {
  port: number;
  /** Venue ticks to `TICKS`. */
  publisher: TickPublisher;
  /** Reference ticks to `PRICES`. */
  referencePublisher: TickPublisher;
}

function tickPublisher({ nc, logger, clock = systemClock }: IngestDeps, measured: IngestMetrics, stream: string): TickPublisher {
  const publisher = new TickPublisher({
    nc,
    logger,
    clock,
    onPublished: (tick, duplicate) => measured.published.inc({ stream, source: tick.source, duplicate: String(duplicate) }),
    onDropped: () => measured.dropped.inc({ stream }),
    onRetry: (tick, error) => {
      measured.retries.inc({ stream });
      logger.debug({ symbol: tick.symbol, err: error.message }, "publish failed");
    },
  });
  measured.watchPending(stream, () => publisher.pending);
  return publisher;
}

/**
 * Wires ingest: every venue through the gate to its own subject in `TICKS`, and the reference
 * price, followed from `TICKS` in stream order, to `PRICES`; and its HTTP server.
 */
export async function startIngest(deps: IngestDeps): Promise<IngestService> {
  const { config, nc, logger, metrics, clock = systemClock } = deps;
  const settings = pricesStreamSettings(config);
  // Created here only where the NATS user may (a server without users, in tests); settings are the operator's (`pnpm provision`).
  await ensurePricesStream(nc, settings, { logger });
  await ensurePricesStream(nc, settings, { logger, stream: TICKS_STREAM });
  const measured = ingestMetrics(metrics);
  const publisher = tickPublisher(deps, measured, TICKS_STREAM);
  const referencePublisher = tickPublisher(deps, measured, PRICES_STREAM);
  const gate = new TickGate({ maxPriceJump: config.MAX_PRICE_JUMP, maxFutureMs: config.MAX_CLOCK_SKEW, maxAgeMs: config.MAX_TICK_AGE }, clock);
  // The last reference prices are the gate's evidence for a venue's first tick after a start.
  for (const { symbol, price, storedAt } of await lastReferencePrices(await jetstreamManager(nc), config.SYMBOLS)) gate.noteReference(symbol, price, storedAt);
  const router = new TickRouter(gate, publisher, measured, logger);
  const upstreamDeps = { config, router, measured, logger, clock };
  const sources = await upstreams(nc, upstreamDeps);
  const reporter = sourceReporter(nc, sources, upstreamDeps);
  const board = new ReferenceBoard({ nc, measured, logger });
  const follower = new ReferenceFollower({
    nc,
    settings: referenceSettings(config),
    publisher: referencePublisher,
    logger,
    clock,
    onOutcome: (outcome, storedAt) => {
      board.observe(outcome, storedAt);
      // Only a price venues agreed on is evidence against a venue: one formed from a venue alone would judge it by itself.
      if (outcome.kind === "tick" && outcome.tick.source === INDEX_SOURCE) gate.noteReference(outcome.tick.symbol, outcome.tick.price);
    },
    onReject: (reason, message) => {
      measured.rejected.inc({ stage: "reference", reason });
      logger.warn({ reason }, `skipped a message of TICKS: ${message}`);
    },
  });
  await follower.start();

  const health = ingestHealth({ nc, sources, reporter, symbols: config.SYMBOLS, board, publisher, referencePublisher, follower, clock });
  const server = createHttpServer({ health, registry: metrics.registry, logger });
  const port = await listen(server, config.INGEST_PORT);
  allUpstreams(sources).forEach((upstream) => upstream.start());
  reporter.start();
  logger.info({ port, symbols: config.SYMBOLS, sources: config.SOURCES }, "ingest started");

  return {
    port,
    publisher,
    referencePublisher,
    async close() {
      allUpstreams(sources).forEach((upstream) => upstream.close());
      reporter.close();
      await publisher.flush();
      await follower.stop();
      await referencePublisher.flush();
      publisher.close();
      referencePublisher.close();
      await closeServer(server);
    },
  };
}
