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
  return async () => {
    const live = feed.status();
    return {
      ok: !nc.isClosed() && !live.stalled,
      ...(live.stalled
        ? { reason: `the live feed has read nothing for ${live.stalledForMs} ms while PRICES grew to seq ${live.streamLastSeq} (read up to ${live.handled})` }
        : {}),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      consumerLag: feed.lag(),
      feed: live,
      clients: hub.clientCount,
      windowReads: { active: windowSlots.active, queued: windowSlots.queued },
      lastSeq: hub.lastSeq,
      status: status.current(),
      serverId,
    };
  };
}
