import {
  CLOSE_CODES,
  UPGRADE_REFUSAL_CODES,
  WindowReadSlots,
  closeServer,
  connectNats,
  endWithError,
  createHttpServer,
  ensurePricesStream,
  listen,
  pricesStreamSettings,
  type RunningService,
  type ServiceDeps,
  type UpgradeRefusalStatus,
} from "@cryptostream/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { WebSocketServer, type WebSocket } from "ws";
import { Admissions } from "./admission";
import type { BroadcasterConfig } from "./config";
import { openConnection } from "./connection";
import { BroadcastHub } from "./hub";
import { followPrices } from "./price-feed";

export type BroadcasterDeps = ServiceDeps<BroadcasterConfig>;

export interface BroadcasterService extends RunningService {
  port: number;
  hub: BroadcastHub;
}

export const WEBSOCKET_PATH = "/ws";
/** Largest client frame accepted; a larger one closes the connection with 1009. */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024;

export async function startBroadcaster({ config, nc, logger, metrics }: BroadcasterDeps): Promise<BroadcasterService> {
  await ensurePricesStream(nc, pricesStreamSettings(config), { logger });

  const messagesSent = metrics.counter("cryptostream_broadcaster_messages_sent_total", "WebSocket messages written to clients");
  const bytesSent = metrics.counter("cryptostream_broadcaster_bytes_sent_total", "Bytes of WebSocket payload written to clients");
  const ticksIn = metrics.counter("cryptostream_broadcaster_ticks_received_total", "Valid ticks read from PRICES");
  const conflations = metrics.counter("cryptostream_broadcaster_conflations_total", "Batches conflated for a slow client");
  const slowCloses = metrics.counter("cryptostream_broadcaster_slow_client_closes_total", "Clients closed for falling too far behind");
  const protocolErrors = metrics.counter("cryptostream_broadcaster_protocol_errors_total", "Bad client input, by code", ["code"]);
  const refused = metrics.counter("cryptostream_broadcaster_refused_connections_total", "Upgrades refused, by HTTP status", ["status"]);
  const resumes = metrics.counter("cryptostream_broadcaster_resumes_total", "Resume requests, by outcome", ["outcome"]);
  const replays = metrics.counter("cryptostream_broadcaster_replays_total", "Replays started, and refused as busy", ["outcome"]);
  const connectionErrors = metrics.counter(
    "cryptostream_broadcaster_connection_errors_total",
    "Unexpected errors serving one client, which closed that client (1011) and nobody else",
  );

  const latency = metrics.histogram(
    "cryptostream_broadcaster_publish_to_send_seconds",
    "From the time JetStream stored a tick to the time it was written to clients",
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  const flushEvery = config.FLUSH_INTERVAL;
  const hub = new BroadcastHub({
    schedule: flushEvery > 0 ? (flush) => void setTimeout(flush, flushEvery) : setImmediate,
    onFlush: (storedAt) => {
      const now = Date.now();
      for (const at of storedAt) latency.observe((now - at) / 1000);
    },
  });
  metrics.gauge("cryptostream_broadcaster_connections", "Open WebSocket connections", () => hub.clientCount);

  const feed = await followPrices({
    nc,
    onTick: (tick, storedAtMs) => {
      ticksIn.inc();
      hub.publish(tick, storedAtMs);
    },
    onReject: (reason, message, seq) => {
      metrics.ticksRejected.inc({ stage: "broadcaster", reason });
      logger.warn({ reason, seq }, `rejected tick from PRICES: ${message}`);
    },
  });
  // The last tick of every symbol is in: flushed now, the hub knows every symbol and the
  // point from which its live feed covers the stream, which a resume reads up to.
  hub.flush();

  const admissions = new Admissions({
    maxConnections: config.MAX_CONNECTIONS,
    maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
    allowedOrigins: config.ALLOWED_ORIGINS,
    authToken: config.AUTH_TOKEN,
    jwtSecret: config.AUTH_JWT_SECRET,
    jwtAudience: config.AUTH_JWT_AUDIENCE,
    jwtIssuer: config.AUTH_JWT_ISSUER,
    trustedProxies: config.TRUST_PROXY,
  });
  // Replays and resumes read on a connection of their own: one the server drops as a slow
  // consumer under a flood of reads is never the live feed's.
  const windowNc = await connectNats({
    url: config.NATS_URL,
    name: `broadcaster-windows-${config.BROADCASTER_ID}`,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    logger: logger.child({ connection: "windows" }),
  });
  const windowSlots = new WindowReadSlots({
    maxConcurrent: config.WINDOW_READS_MAX,
    maxPerClient: config.WINDOW_READS_PER_IP,
    maxQueued: config.WINDOW_READS_QUEUE,
    maxWaitMs: config.WINDOW_READS_WAIT,
  });
  metrics.gauge("cryptostream_broadcaster_window_reads", "Replays and resumes reading the stream now", () => windowSlots.active);
  metrics.gauge("cryptostream_broadcaster_window_reads_queued", "Replays and resumes waiting for a slot", () => windowSlots.queued);
  const context = {
    hub,
    windowNc,
    jsm: await jetstreamManager(nc),
    windowSlots,
    sendTimeoutMs: config.SEND_TIMEOUT,
    checkToken: admissions.requiresToken ? (token: string) => admissions.checkToken(token) : undefined,
    logger,
    serverId: config.BROADCASTER_ID,
    simulated: config.SIMULATED,
    limits: { softBytes: config.SEND_BUFFER_SOFT_LIMIT, hardBytes: config.SEND_BUFFER_HARD_LIMIT },
    messageRate: config.CLIENT_MESSAGE_RATE,
    resumeMaxTicks: config.RESUME_MAX_TICKS,
    onClosed: (ip: string) => admissions.closed(ip),
    events: {
      onSent: (bytes: number) => {
        messagesSent.inc();
        bytesSent.inc(bytes);
      },
      onConflated: () => conflations.inc(),
      onSlowClose: () => slowCloses.inc(),
      onProtocolError: (code: string) => protocolErrors.inc({ code }),
      onResume: (outcome: string) => resumes.inc({ outcome }),
      onReplay: (outcome: string) => replays.inc({ outcome }),
      onConnectionError: () => connectionErrors.inc(),
    },
  };

  const server = createHttpServer({
    registry: metrics.registry,
    logger,
    health: async () => ({
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      consumerLag: await feed.lag().catch(() => null),
      clients: hub.clientCount,
      windowReads: { active: windowSlots.active, queued: windowSlots.queued },
      lastSeq: hub.lastSeq,
      serverId: config.BROADCASTER_ID,
    }),
  });
  let accepting = true;
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_CLIENT_FRAME_BYTES });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const refuse = (status: UpgradeRefusalStatus, reason: string) => {
      refused.inc({ status: String(status) });
      endWithError(socket, status, reason, UPGRADE_REFUSAL_CODES[status], reason);
    };
    if (url.pathname !== WEBSOCKET_PATH) return refuse(404, "Not Found");
    if (!accepting) return refuse(503, "shutting down");
    const admission = admissions.admit(req, url);
    if (!admission.ok) return refuse(admission.status, admission.reason);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, url, admission.ip, admission.expiresAtMs));
  });
  /** Kept apart from the upgrade handler so an open connection holds on to nothing of its handshake. */
  const accept = (ws: WebSocket, url: URL, ip: string, expiresAtMs: number | undefined) => {
    admissions.opened(ip);
    openConnection(ws, url, context, ip, expiresAtMs);
  };
  const heartbeatTimer = setInterval(() => {
    for (const session of hub.allSessions()) session.heartbeat();
  }, config.HEARTBEAT_INTERVAL);

  const boundPort = await listen(server, config.BROADCASTER_PORT);
  logger.info({ port: boundPort, path: WEBSOCKET_PATH, serverId: config.BROADCASTER_ID }, "broadcaster listening");

  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    hub,
    close() {
      closing ??= (async () => {
        accepting = false;
        clearInterval(heartbeatTimer);
        for (const session of hub.allSessions()) session.close(CLOSE_CODES.goingAway, "going away");
        await feed.stop();
        await windowNc.close();
        wss.close();
        await closeServer(server);
      })();
      return closing;
    },
  };
}
