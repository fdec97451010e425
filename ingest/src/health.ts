import type { Clock, HealthReport, NatsConnection } from "@cryptostream/core";
import type { TickPublisher } from "./publisher";
import type { SourceReporter } from "./source-reports";
import type { SourceSelector } from "./source-selector";
import type { BinanceFeed } from "./sources/binance-feed";
import type { CoinGeckoPoller } from "./sources/coingecko-poller";
import type { TickRouter } from "./tick-router";

export interface IngestHealthSources {
  nc: NatsConnection;
  feeds: readonly BinanceFeed[];
  pollers: readonly CoinGeckoPoller[];
  /** Its latest report of each source, as published on `status.sources.<source>`. */
  reporter: SourceReporter;
  symbols: readonly string[];
  router: TickRouter;
  selector: SourceSelector;
  /** The sources behind the selector's `primary` and `fallback`. */
  primary: string;
  fallback: string;
  publisher: TickPublisher;
  clock: Clock;
}

/** `GET /healthz`: NATS, each upstream connection and poller, each symbol's source and freshness, the publish backlog. */
export function ingestHealth(sources: IngestHealthSources): () => HealthReport {
  const { nc, feeds, pollers, reporter, symbols, router, selector, primary, fallback, publisher, clock } = sources;
  return () => {
    const now = clock.now();
    const ageOf = (at: number | undefined) => (at ? now - at : null);
    return {
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed() && !nc.isDraining(), server: nc.getServer() },
      sources: {
        binance: feeds.map((feed) => {
          const { connected, lastMessageAt, errors } = feed.status();
          return { connected, lastMessageAgeMs: ageOf(lastMessageAt), errors };
        }),
        coingecko: pollers.map((poller) => {
          const { lastSuccessAt, errors, rateLimited } = poller.status();
          return { lastSuccessAgeMs: ageOf(lastSuccessAt), errors, rateLimited };
        }),
      },
      sourceStates: Object.fromEntries(reporter.reports().map(({ source, state, reason, since }) => [source, { state, reason, since }])),
      symbols: Object.fromEntries(
        symbols.map((symbol) => {
          const tick = router.lastTick.get(symbol);
          const active = selector.activeSource(symbol) === "primary" ? primary : fallback;
          return [symbol, { activeSource: active, lastSource: tick?.source ?? null, lastTickAgeMs: ageOf(tick?.ts) }];
        }),
      ),
      publishPending: publisher.pending,
    };
  };
}
