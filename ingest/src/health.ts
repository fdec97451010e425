import type { Clock, HealthReport, NatsConnection } from "@cryptostream/core";
import type { TickPublisher } from "./publisher";
import type { ReferenceBoard } from "./reference-board";
import type { ReferenceFollower } from "./reference-follower";
import type { SourceReporter } from "./source-reports";
import type { FeedStatus } from "./sources/upstream-socket";
import type { Upstreams } from "./upstreams";

export interface IngestHealthSources {
  nc: NatsConnection;
  sources: Upstreams;
  /** Its latest report of each source, as published on `status.sources.<source>`. */
  reporter: SourceReporter;
  symbols: readonly string[];
  board: ReferenceBoard;
  publisher: TickPublisher;
  referencePublisher: TickPublisher;
  follower: Pick<ReferenceFollower, "status" | "isStalled">;
  clock: Clock;
}

/**
 * `GET /healthz`: NATS, each upstream connection and poller, each symbol's reference price (its
 * source, its age, the venues left out of it and whether it is withheld), the publish backlogs.
 */
export function ingestHealth(health: IngestHealthSources): () => HealthReport {
  const { nc, sources, reporter, symbols, board, publisher, referencePublisher, follower, clock } = health;
  return () => {
    const now = clock.now();
    const ageOf = (at: number | undefined) => (at ? now - at : null);
    const socket = (feed: { status(): Readonly<FeedStatus> }) => {
      const { connected, lastMessageAt, errors } = feed.status();
      return { connected, lastMessageAgeMs: ageOf(lastMessageAt), errors };
    };
    const stalled = follower.isStalled();
    const reference = follower.status();
    return {
      ok: !nc.isClosed() && !stalled,
      ...(stalled
        ? {
            reason: `no reference price formed for ${reference.stalledForMs} ms while TICKS grew to seq ${reference.streamLastSeq} (read up to ${reference.handled})`,
          }
        : {}),
      nats: { connected: !nc.isClosed() && !nc.isDraining(), server: nc.getServer() },
      sources: {
        binance: sources.binance.map(socket),
        coinbase: sources.coinbase.map(socket),
        kraken: sources.kraken.map(socket),
        coingecko: sources.coingecko.map((poller) => {
          const { lastSuccessAt, errors, rateLimited } = poller.status();
          return { lastSuccessAgeMs: ageOf(lastSuccessAt), errors, rateLimited };
        }),
      },
      sourceStates: Object.fromEntries(reporter.reports().map(({ source, state, reason, since }) => [source, { state, reason, since }])),
      symbols: Object.fromEntries(
        symbols.map((symbol) => {
          const reference = board.symbols.get(symbol);
          const tick = reference?.tick;
          const { dropped = [], withheld = null } = reference?.status ?? {};
          return [symbol, { lastSource: tick?.source ?? null, lastTickAgeMs: ageOf(tick?.ts), price: tick?.price ?? null, dropped, withheld }];
        }),
      ),
      publishPending: publisher.pending,
      referencePublishPending: referencePublisher.pending,
      referenceFollower: { ...reference, stalled },
    };
  };
}
