import {
  CLOSE_CODES,
  PRICES_STREAM,
  closeServer,
  createHttpServer,
  ensurePricesStream,
  listen,
  openWindowReads,
  pricesStreamSettings,
  systemClock,
  type Clock,
  type Logger,
  type NatsConnection,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { Admissions } from "./admission";
import type { BroadcasterConfig } from "./config";
import { openConnection, type ConnectionContext } from "./connection";
import { broadcasterHealth } from "./health";
import { BroadcastHub } from "./hub";
import { broadcasterMetrics } from "./metrics";
import { followPrices } from "./price-feed";
import { StatusBoard, followSourceReports } from "./status-board";
import { WEBSOCKET_PATH, acceptUpgrades } from "./upgrades";

export type BroadcasterDeps = ServiceDeps<BroadcasterConfig>;

export interface BroadcasterService extends RunningService {
  port: number;
  hub: BroadcastHub;
}

/** Wires the broadcaster: the live feed into the hub, window reads, admissions, the WebSocket server, heartbeats. */
export async function startBroadcaster({ config, nc, logger, metrics, clock = systemClock }: BroadcasterDeps): Promise<BroadcasterService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { logger });
  const measured = broadcasterMetrics(metrics);
  const hub = hubOf(config, measured, clock);
  const status = statusOf(nc, config, hub, measured, logger, clock);
  const stream = await streamOf(nc);
  const feed = await feedOf(nc, { hub, board: status.board, stream, measured, logger, clock });
  // The last tick of every symbol is in: flushed now, the hub knows every symbol and the
  // point from which its live feed covers the stream, which a resume reads up to.
  hub.flush();
  const admissions = admissionsOf(config, clock);
  const reads = await openWindowReads(config, `broadcaster-windows-${config.BROADCASTER_ID}`, logger, clock);
  measured.watch(hub, reads.windowSlots);
  const context: ConnectionContext = {
    ...reads,
    ...sessionSettings(config),
    hub,
    status: status.board,
    ...stream,
    checkToken: admissions.requiresToken ? (token) => admissions.checkToken(token) : undefined,
    onClosed: (ip) => admissions.closed(ip),
    events: measured.events,
    clock,
    logger,
  };
  const server = createHttpServer({
    registry: metrics.registry,
    logger,
    health: broadcasterHealth({ nc, feed, hub, windowSlots: reads.windowSlots, status: status.board, serverId: config.BROADCASTER_ID }),
  });
  const upgrades = acceptUpgrades(server, admissions, {
    onRefused: (status) => measured.refused.inc({ status: String(status) }),
    onOpen: (ws, wire, url, ip, expiresAtMs) => {
      admissions.opened(ip);
      openConnection(ws, wire, url, context, ip, expiresAtMs);
    },
  });
  const heartbeat = clock.setInterval(() => hub.heartbeat(), config.HEARTBEAT_INTERVAL);
  const port = await listen(server, config.BROADCASTER_PORT);
  logger.info({ port, path: WEBSOCKET_PATH, serverId: config.BROADCASTER_ID }, "broadcaster listening");

  let closing: Promise<void> | undefined;
  const close = async () => {
    upgrades.stop();
    heartbeat.clear();
    status.stop();
    for (const session of hub.allSessions()) session.close(CLOSE_CODES.goingAway, "going away");
    await feed.stop();
    await reads.windowNc.close();
    await closeServer(server);
  };
  return { port, hub, close: () => (closing ??= close()) };
}

/** The live feed of `PRICES` into the hub and the status board; a `PRICES` made again starts every client over. */
function feedOf(
  nc: NatsConnection,
  into: {
    hub: BroadcastHub;
    board: StatusBoard;
    stream: { streamEpoch: { current: string } };
    measured: ReturnType<typeof broadcasterMetrics>;
    logger: Logger;
    clock: Clock;
  },
) {
  const { hub, board, stream, measured, logger, clock } = into;
  return followPrices({
    nc,
    logger,
    clock,
    onStreamReset: (epoch) => {
      stream.streamEpoch.current = epoch;
      hub.startOver(epoch);
    },
    onTick: (tick, storedAtMs) => {
      measured.ticksIn.inc();
      board.observe(tick.symbol, tick.source, storedAtMs);
      hub.publish(tick, storedAtMs);
    },
    onReject: measured.rejectTick(logger),
  });
}

function hubOf(config: BroadcasterConfig, measured: ReturnType<typeof broadcasterMetrics>, clock: Clock): BroadcastHub {
  return new BroadcastHub({
    schedule: config.FLUSH_INTERVAL > 0 ? (flush) => void clock.setTimeout(flush, config.FLUSH_INTERVAL) : setImmediate,
    onFlush: (storedAt) => measured.observeFlush(storedAt, clock.now()),
    onSent: measured.events.onSent,
    clock,
  });
}

/** Stale symbols and down sources: kept from the ticks and ingest's reports, each change counted and sent to clients. */
function statusOf(
  nc: NatsConnection,
  config: BroadcasterConfig,
  hub: BroadcastHub,
  measured: ReturnType<typeof broadcasterMetrics>,
  logger: Logger,
  clock: Clock,
) {
  const board = new StatusBoard({
    staleAfterMs: config.STALE_AFTER,
    clock,
    onChange: (change) => {
      for (const { state } of Object.values(change.symbols)) measured.statusChanges.inc({ kind: "symbol", state });
      for (const { state } of Object.values(change.sources)) measured.statusChanges.inc({ kind: "source", state });
      for (const { dropped, withheld } of Object.values(change.references ?? {})) {
        measured.statusChanges.inc({ kind: "reference", state: withheld ? "withheld" : dropped.length > 0 ? "diverged" : "agreed" });
      }
      hub.sendStatus(change);
    },
  });
  const reports = followSourceReports(nc, board, measured.rejectReport(logger));
  board.start();
  return {
    board,
    stop() {
      reports.stop();
      board.close();
    },
  };
}

function admissionsOf(config: BroadcasterConfig, clock: Clock): Admissions {
  return new Admissions(
    {
      maxConnections: config.MAX_CONNECTIONS,
      maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
      allowedOrigins: config.ALLOWED_ORIGINS,
      authToken: config.AUTH_TOKEN,
      jwtSecret: config.AUTH_JWT_SECRET,
      jwtAudience: config.AUTH_JWT_AUDIENCE,
      jwtIssuer: config.AUTH_JWT_ISSUER,
      trustedProxies: config.TRUST_PROXY,
    },
    clock,
  );
}

/** The JetStream manager resumes ask (made once: each asks the server for its info), and the stream's epoch now. */
async function streamOf(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  return { jsm, streamEpoch: { current: (await jsm.streams.info(PRICES_STREAM)).created } };
}

function sessionSettings(config: BroadcasterConfig) {
  return {
    serverId: config.BROADCASTER_ID,
    simulated: config.SIMULATED,
    limits: { softBytes: config.SEND_BUFFER_SOFT_LIMIT, hardBytes: config.SEND_BUFFER_HARD_LIMIT },
    sendTimeoutMs: config.SEND_TIMEOUT,
    messageRate: config.CLIENT_MESSAGE_RATE,
    resumeMaxTicks: config.RESUME_MAX_TICKS,
  };
}
