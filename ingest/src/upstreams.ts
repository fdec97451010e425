import { assetFor, ensureAssetsBucket, type AssetMapping, type Clock, type Logger, type NatsConnection } from "@cryptostream/core";
import { AssetsWriter } from "./assets-writer";
import type { IngestConfig } from "./config";
import type { IngestMetrics } from "./metrics";
import { BINANCE_SOURCE, parseBinanceFrame } from "./sources/binance-parse";
import { BinanceFeed } from "./sources/binance-feed";
import { binanceConnectionBudget } from "./sources/connection-budget";
import { COINGECKO_SOURCE, parseCoinGeckoMarkets } from "./sources/coingecko-parse";
import { CoinGeckoPoller } from "./sources/coingecko-poller";
import { SourceReporter, pollingProbe, websocketProbe } from "./source-reports";
import type { TickRouter } from "./tick-router";

/** Binance allows at most 1024 streams per connection. */
const STREAMS_PER_CONNECTION = 1024;

export interface UpstreamDeps {
  config: IngestConfig;
  router: TickRouter;
  measured: IngestMetrics;
  logger: Logger;
  clock: Clock;
}

export function trackedAssets(config: IngestConfig): AssetMapping[] {
  return config.SYMBOLS.map((symbol) => assetFor(symbol, config.ASSETS));
}

/** One Binance combined stream per 1,024 pairs of the tracked symbols, sharing one connection budget. */
export function binanceFeeds({ config, router, measured, logger, clock }: UpstreamDeps): BinanceFeed[] {
  if (!config.SOURCES.includes("binance")) return [];
  const assets = trackedAssets(config);
  const symbolOfPair = new Map(assets.filter((a) => a.binancePair).map((asset) => [asset.binancePair!.toUpperCase(), asset.symbol]));
  const pairs = assets.flatMap((asset) => (asset.binancePair ? [asset.binancePair] : []));
  const budget = binanceConnectionBudget();
  const feeds: BinanceFeed[] = [];
  for (let i = 0; i < pairs.length; i += STREAMS_PER_CONNECTION) {
    const feed: BinanceFeed = new BinanceFeed({
      baseUrl: config.BINANCE_WS_URL,
      pairs: pairs.slice(i, i + STREAMS_PER_CONNECTION),
      staleAfterMs: config.BINANCE_STALE_TIMEOUT,
      backoff: { baseMs: 500, maxMs: 30_000 },
      budget,
      clock,
      logger: logger.child({ source: BINANCE_SOURCE }),
      onDisconnect: (reason) => measured.upstreamErrors.inc({ source: BINANCE_SOURCE, reason }),
      onFrame: (text) => {
        const result = parseBinanceFrame(text, symbolOfPair);
        if (result.kind === "shutdown") feed.reconnect("server_shutdown");
        else router.handle(BINANCE_SOURCE, result);
      },
    });
    feeds.push(feed);
  }
  return feeds;
}

/** The CoinGecko poller of the tracked symbols, which also keeps the `assets` bucket. */
export async function coinGeckoPollers(nc: NatsConnection, { config, router, measured, logger, clock }: UpstreamDeps): Promise<CoinGeckoPoller[]> {
  if (!config.SOURCES.includes("coingecko")) return [];
  const assets = trackedAssets(config);
  const assetsWriter = new AssetsWriter(await ensureAssetsBucket(nc, config.JETSTREAM_REPLICAS), logger);
  const symbolOfId = new Map(assets.map((asset) => [asset.coingeckoId, asset.symbol]));
  const poller = new CoinGeckoPoller({
    apiUrl: config.COINGECKO_API_URL,
    ids: assets.map((asset) => asset.coingeckoId),
    intervalMs: config.COINGECKO_POLL_INTERVAL,
    timeoutMs: config.COINGECKO_TIMEOUT,
    onError: (reason) => measured.upstreamErrors.inc({ source: COINGECKO_SOURCE, reason }),
    apiKey: config.COINGECKO_API_KEY,
    plan: config.COINGECKO_PLAN,
    clock,
    logger: logger.child({ source: COINGECKO_SOURCE }),
    onBody: (body) => {
      const parsed = parseCoinGeckoMarkets(body, symbolOfId);
      parsed.results.forEach((result) => router.handle(COINGECKO_SOURCE, result));
      void assetsWriter.write(parsed.assets);
    },
  });
  return [poller];
}

/** Reports each configured source's state on `status.sources.<source>`, counting every change. */
export function sourceReporter(
  nc: NatsConnection,
  feeds: readonly BinanceFeed[],
  pollers: readonly CoinGeckoPoller[],
  deps: Omit<UpstreamDeps, "router">,
): SourceReporter {
  const { config, measured, logger, clock } = deps;
  const startedAt = clock.now();
  const probes = [
    ...(feeds.length > 0 ? [websocketProbe(BINANCE_SOURCE, feeds, config.BINANCE_STALE_TIMEOUT, startedAt)] : []),
    ...(pollers.length > 0 ? [pollingProbe(COINGECKO_SOURCE, pollers, config.COINGECKO_POLL_INTERVAL, config.COINGECKO_TIMEOUT, startedAt)] : []),
  ];
  return new SourceReporter({
    nc,
    instance: config.INGEST_ID,
    probes,
    clock,
    logger,
    onChange: (report) => measured.sourceChanges.inc({ source: report.source, state: report.state, reason: report.reason ?? "" }),
  });
}
