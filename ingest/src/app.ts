import {
  assetFor,
  closeServer,
  createHttpServer,
  ensureAssetsBucket,
  ensurePricesStream,
  pricesStreamSettings,
  listen,
  type RunningService,
  type ServiceDeps,
  type Tick,
} from "@cryptostream/core";
import { AssetsWriter } from "./assets-writer";
import type { IngestConfig } from "./config";
import { SourceSelector } from "./source-selector";
import { TickPublisher } from "./publisher";
import { BINANCE_SOURCE, parseBinanceFrame } from "./sources/binance-parse";
import { BinanceFeed } from "./sources/binance-feed";
import { binanceConnectionBudget } from "./sources/connection-budget";
import { COINGECKO_SOURCE, parseCoinGeckoMarkets } from "./sources/coingecko-parse";
import { CoinGeckoPoller } from "./sources/coingecko-poller";
import type { UpstreamResult } from "./sources/upstream-result";
import { TickGate, UNCHANGED } from "./tick-gate";

export type IngestDeps = ServiceDeps<IngestConfig>;

export interface IngestService extends RunningService {
  port: number;
  publisher: TickPublisher;
}

/** Binance allows at most 1024 streams per connection. */
const STREAMS_PER_CONNECTION = 1024;

export async function startIngest({ config, nc, logger, metrics }: IngestDeps): Promise<IngestService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { mayUpdate: true, logger });

  const published = metrics.counter(
    "cryptostream_ingest_ticks_published_total",
    "Ticks acknowledged by JetStream, by source and whether JetStream saw a duplicate",
    ["source", "duplicate"],
  );
  const upstreamErrors = metrics.counter(
    "cryptostream_ingest_upstream_errors_total",
    "Failed CoinGecko requests (timeout, network, http_429, http_4xx, http_5xx) and dropped Binance connections (stale, closed, closed_abnormally, connect_failed, server_shutdown), by source and reason",
    ["source", "reason"],
  );
  const dropped = metrics.counter("cryptostream_ingest_ticks_dropped_total", "Ticks dropped because the publish queue was full");
  const unchanged = metrics.counter(
    "cryptostream_ingest_ticks_unchanged_total",
    "Upstream events skipped because they repeat the last one published (a poll between upstream updates)",
    ["source"],
  );
  const retries = metrics.counter("cryptostream_ingest_publish_retries_total", "Publishes that failed and were retried with the same msg id");
  metrics.gauge("cryptostream_ingest_publish_pending", "Ticks queued or awaiting their JetStream ack", () => publisher.pending);

  const publisher = new TickPublisher({
    nc,
    logger,
    onPublished: (tick, duplicate) => published.inc({ source: tick.source, duplicate: String(duplicate) }),
    onDropped: () => dropped.inc(),
    onRetry: (tick, error) => {
      retries.inc();
      logger.debug({ symbol: tick.symbol, err: error.message }, "publish failed");
    },
  });
  const gate = new TickGate({ maxPriceJump: config.MAX_PRICE_JUMP, maxFutureMs: config.MAX_CLOCK_SKEW, maxAgeMs: config.MAX_TICK_AGE });
  const primary = config.SOURCES.includes("binance") ? BINANCE_SOURCE : COINGECKO_SOURCE;
  const fallback = primary === BINANCE_SOURCE ? COINGECKO_SOURCE : BINANCE_SOURCE;
  const selector = new SourceSelector(primary, config.FAILOVER_AFTER, config.FAILBACK_AFTER);
  const lastTick = new Map<string, Tick>();

  const reject = (source: string, reason: string, message: string) => {
    metrics.ticksRejected.inc({ stage: "ingest", reason });
    logger.warn({ source, reason }, `rejected upstream message: ${message}`);
  };
  const handle = (source: string, result: UpstreamResult) => {
    if (result.kind === "rejected") return reject(source, result.reason, result.message);
    if (result.kind !== "tick") return;
    if (!selector.accepts(result.tick.source, result.tick.symbol)) return;
    const verdict = gate.admit(result.tick);
    if (!verdict.ok && verdict.reason === UNCHANGED) return unchanged.inc({ source });
    if (!verdict.ok) return reject(source, verdict.reason, verdict.message);
    lastTick.set(verdict.tick.symbol, verdict.tick);
    publisher.publish(verdict.tick);
  };

  const assets = config.SYMBOLS.map((symbol) => assetFor(symbol, config.ASSETS));
  const feeds: BinanceFeed[] = [];
  if (config.SOURCES.includes("binance")) {
    const symbolOfPair = new Map(assets.filter((a) => a.binancePair).map((asset) => [asset.binancePair!.toUpperCase(), asset.symbol]));
    const pairs = assets.flatMap((asset) => (asset.binancePair ? [asset.binancePair] : []));
    const budget = binanceConnectionBudget();
    for (let i = 0; i < pairs.length; i += STREAMS_PER_CONNECTION) {
      const feed: BinanceFeed = new BinanceFeed({
        baseUrl: config.BINANCE_WS_URL,
        pairs: pairs.slice(i, i + STREAMS_PER_CONNECTION),
        staleAfterMs: config.BINANCE_STALE_TIMEOUT,
        backoff: { baseMs: 500, maxMs: 30_000 },
        budget,
        logger: logger.child({ source: BINANCE_SOURCE }),
        onDisconnect: (reason) => upstreamErrors.inc({ source: BINANCE_SOURCE, reason }),
        onFrame: (text) => {
          const result = parseBinanceFrame(text, symbolOfPair);
          if (result.kind === "shutdown") feed.reconnect("server_shutdown");
          else handle(BINANCE_SOURCE, result);
        },
      });
      feeds.push(feed);
    }
  }
  const pollers: CoinGeckoPoller[] = [];
  if (config.SOURCES.includes("coingecko")) {
    const assetsWriter = new AssetsWriter(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
    const symbolOfId = new Map(assets.map((asset) => [asset.coingeckoId, asset.symbol]));
    pollers.push(
      new CoinGeckoPoller({
        apiUrl: config.COINGECKO_API_URL,
        ids: assets.map((asset) => asset.coingeckoId),
        intervalMs: config.COINGECKO_POLL_INTERVAL,
        timeoutMs: config.COINGECKO_TIMEOUT,
        onError: (reason) => upstreamErrors.inc({ source: COINGECKO_SOURCE, reason }),
        apiKey: config.COINGECKO_API_KEY,
        plan: config.COINGECKO_PLAN,
        logger: logger.child({ source: COINGECKO_SOURCE }),
        onBody: (body) => {
          const { results, assets } = parseCoinGeckoMarkets(body, symbolOfId);
          results.forEach((result) => handle(COINGECKO_SOURCE, result));
          void assetsWriter.write(assets);
        },
      }),
    );
  }

  const health = () => {
    const now = Date.now();
    return {
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed() && !nc.isDraining(), server: nc.getServer() },
      sources: {
        binance: feeds.map((feed) => {
          const { connected, lastMessageAt, errors } = feed.status();
          return { connected, lastMessageAgeMs: lastMessageAt ? now - lastMessageAt : null, errors };
        }),
        coingecko: pollers.map((poller) => {
          const { lastSuccessAt, errors, rateLimited } = poller.status();
          return { lastSuccessAgeMs: lastSuccessAt ? now - lastSuccessAt : null, errors, rateLimited };
        }),
      },
      symbols: Object.fromEntries(
        config.SYMBOLS.map((symbol) => {
          const tick = lastTick.get(symbol);
          const active = selector.activeSource(symbol) === "primary" ? primary : fallback;
          return [symbol, { activeSource: active, lastSource: tick?.source ?? null, lastTickAgeMs: tick ? now - tick.ts : null }];
        }),
      ),
      publishPending: publisher.pending,
    };
  };
  const server = createHttpServer({ health, registry: metrics.registry, logger });
  const boundPort = await listen(server, config.INGEST_PORT);

  feeds.forEach((feed) => feed.start());
  pollers.forEach((poller) => poller.start());
  logger.info({ port: boundPort, symbols: config.SYMBOLS, sources: config.SOURCES }, "ingest started");

  return {
    port: boundPort,
    publisher,
    async close() {
      feeds.forEach((feed) => feed.close());
      pollers.forEach((poller) => poller.close());
      await publisher.flush();
      publisher.close();
      await closeServer(server);
    },
  };
}
