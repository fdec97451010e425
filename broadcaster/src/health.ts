import type { HealthReport, NatsConnection, WindowReadSlots } from "@cryptostream/core";
import type { BroadcastHub } from "./hub";
import type { PriceFeed } from "./price-feed";
import type { StatusBoard } from "./status-board";

export interface BroadcasterHealthSources {
  nc: NatsConnection;
  feed: PriceFeed;
  hub: BroadcastHub;
  windowSlots: WindowReadSlots;
  status: StatusBoard;
  serverId: string;
}

/** `GET /healthz`: NATS, how far the live feed lags, clients, window reads, the last seq sent, stale symbols and sources. */
export function broadcasterHealth({ nc, feed, hub, windowSlots, status, serverId }: BroadcasterHealthSources): () => Promise<HealthReport> {
  return async () => ({
    ok: !nc.isClosed(),
    nats: { connected: !nc.isClosed(), server: nc.getServer() },
    consumerLag: await feed.lag().catch(() => null),
    clients: hub.clientCount,
    windowReads: { active: windowSlots.active, queued: windowSlots.queued },
    lastSeq: hub.lastSeq,
    status: status.current(),
    serverId,
  });
}
