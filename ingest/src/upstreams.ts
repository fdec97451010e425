import {
  assetFor,
  coinbaseProductOf,
  coinbaseSubscribe,
  ensureAssetsBucket,
  krakenPairOf,
  krakenSubscribe,
  type AssetMapping,
  type Clock,
  type Logger,
  type NatsConnection,
} from "@cryptostream/core";
import { AssetsWriter } from "./assets-writer";
import type { IngestConfig } from "./config";
import type { IngestMetrics } from "./metrics";
import { BINANCE_SOURCE, parseBinanceFrame } from "./sources/binance-parse";
import { BinanceFeed } from "./sources/binance-feed";
import { binanceConnectionBudget } from "./sources/connection-budget";
import { COINBASE_SOURCE, parseCoinbaseMessage } from "./sources/coinbase-parse";
import { COINGECKO_SOURCE, parseCoinGeckoMarkets } from "./sources/coingecko-parse";
import { KRAKEN_SOURCE, parseKrakenMessage } from "./sources/kraken-parse";
import { VenueSocket } from "./sources/venue-socket";
import type { UpstreamResult } from "./sources/upstream-result";
import { CoinGeckoPoller } from "./sources/coingecko-poller";
import { SourceReporter, pollingProbe, websocketProbe } from "./source-reports";
import type { TickRouter } from "./tick-router";

/** Binance allows at most 1024 streams per connection. */
const STREAMS_PER_CONNECTION = 1024;
/** Coinbase allows 8 messages a second from an unauthenticated client; Kraken is as strict. */
const VENUE_SEND_SPACING_MS = 250;

export interface UpstreamDeps {
  config: IngestConfig;
  router: TickRouter;
  measured: IngestMetrics;
  logger: Logger;
  clock: Clock;
}

/** Every upstream ingest reads, by venue. */
export interface Upstreams {
  binance: BinanceFeed[];
  coinbase: VenueSocket[];
  kraken: VenueSocket[];
  coingecko: CoinGeckoPoller[];
}

/** Opens nothing yet: each is started by `start()`. */
export async function upstreams(nc: NatsConnection, deps: UpstreamDeps): Promise<Upstreams> {
  return { binance: binanceFeeds(deps), coinbase: coinbaseFeeds(deps), kraken: krakenFeeds(deps), coingecko: await coinGeckoPollers(nc, deps) };
}

/** Every feed and poller, to start and close them alike. */
export function allUpstreams(all: Upstreams): { start(): void; close(): void }[] {
  return [...all.binance, ...all.coinbase, ...all.kraken, ...all.coingecko];
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
  const budget = binanceConnectionBudget(clock);
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

/** What ingest does with each result of a venue's message: a refused subscription is counted, the rest routed. */
function routeResult(source: string, result: UpstreamResult, { router, measured, logger }: UpstreamDeps): void {
  if (result.kind === "subscribe_failed") {
    measured.upstreamErrors.inc({ source, reason: "subscribe_failed" });
    logger.warn({ source }, `subscription refused: ${result.message}`);
  } else router.handle(source, result);
}

/** The socket of a venue that streams tickers, with the discipline every feed has. */
function venueSocket(venue: string, url: string, subscriptions: string[], onFrame: (text: string) => void, deps: UpstreamDeps): VenueSocket {
  const { config, measured, logger, clock } = deps;
  return new VenueSocket({
    venue,
    url,
    subscriptions: () => subscriptions,
    sendSpacingMs: VENUE_SEND_SPACING_MS,
    staleAfterMs: config.VENUE_STALE_TIMEOUT,
    backoff: { baseMs: 500, maxMs: 30_000 },
    clock,
    logger: logger.child({ source: venue }),
    onDisconnect: (reason) => measured.upstreamErrors.inc({ source: venue, reason }),
    onFrame,
  });
}

/** Coinbase Advanced Trade: heartbeats first (a subscription must follow the connection within seconds), then the tickers. */
export function coinbaseFeeds(deps: UpstreamDeps): VenueSocket[] {
  if (!deps.config.SOURCES.includes(COINBASE_SOURCE)) return [];
  const assets = trackedAssets(deps.config);
  const symbolOfProduct = new Map(assets.map((asset) => [coinbaseProductOf(asset), asset.symbol]));
  const products = [...symbolOfProduct.keys()];
  let lastSequence = -1;
  const onFrame = (text: string) => {
    const { results, sequence } = parseCoinbaseMessage(text, symbolOfProduct);
    // A new connection counts from 0 again; a jump means messages lost on the way.
    if (sequence !== undefined && sequence > lastSequence + 1 && lastSequence >= 0) {
      deps.measured.upstreamErrors.inc({ source: COINBASE_SOURCE, reason: "sequence_gap" });
    }
    if (sequence !== undefined) lastSequence = sequence;
    results.forEach((result) => routeResult(COINBASE_SOURCE, result, deps));
  };
  const subscriptions = [coinbaseSubscribe("heartbeats", products), coinbaseSubscribe("ticker", products)];
  return [venueSocket(COINBASE_SOURCE, deps.config.COINBASE_WS_URL, subscriptions, onFrame, deps)];
}

/** Kraken WebSocket v2: the ticker of every tracked pair. */
export function krakenFeeds(deps: UpstreamDeps): VenueSocket[] {
  if (!deps.config.SOURCES.includes(KRAKEN_SOURCE)) return [];
  const assets = trackedAssets(deps.config);
  const symbolOfPair = new Map(assets.map((asset) => [krakenPairOf(asset), asset.symbol]));
  const onFrame = (text: string) => parseKrakenMessage(text, symbolOfPair, deps.clock.now()).forEach((result) => routeResult(KRAKEN_SOURCE, result, deps));
  return [venueSocket(KRAKEN_SOURCE, deps.config.KRAKEN_WS_URL, [krakenSubscribe([...symbolOfPair.keys()])], onFrame, deps)];
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
export function sourceReporter(nc: NatsConnection, upstreams: Upstreams, deps: Omit<UpstreamDeps, "router">): SourceReporter {
  const { config, measured, logger, clock } = deps;
  const startedAt = clock.now();
  const { binance: feeds, coinbase, kraken, coingecko: pollers } = upstreams;
  const probes = [
    ...(feeds.length > 0 ? [websocketProbe(BINANCE_SOURCE, feeds, config.BINANCE_STALE_TIMEOUT, startedAt)] : []),
    ...(coinbase.length > 0 ? [websocketProbe(COINBASE_SOURCE, coinbase, config.VENUE_STALE_TIMEOUT, startedAt)] : []),
    ...(kraken.length > 0 ? [websocketProbe(KRAKEN_SOURCE, kraken, config.VENUE_STALE_TIMEOUT, startedAt)] : []),
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
