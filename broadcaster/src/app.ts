import {
  closeServer,
  createHttpServer,
  ensurePricesStream,
  pricesStreamSettings,
  listen,
  type RunningService,
  type ServiceDeps,
} from "@cryptostream/core";
import { WebSocketServer } from "ws";
import type { BroadcasterConfig } from "./config";
import { BroadcastHub } from "./hub";
import { followPrices } from "./price-feed";

export type BroadcasterDeps = ServiceDeps<BroadcasterConfig>;

export interface BroadcasterService extends RunningService {
  port: number;
  hub: BroadcastHub;
}

export const WEBSOCKET_PATH = "/ws";

export async function startBroadcaster({ config, nc, logger, metrics }: BroadcasterDeps): Promise<BroadcasterService> {
  await ensurePricesStream(nc, pricesStreamSettings(config));

  const messagesSent = metrics.counter("cryptostream_broadcaster_messages_sent_total", "WebSocket messages written to clients");
  const bytesSent = metrics.counter("cryptostream_broadcaster_bytes_sent_total", "Bytes of WebSocket payload written to clients");
  const ticksIn = metrics.counter("cryptostream_broadcaster_ticks_received_total", "Valid ticks read from PRICES");
  const hub: BroadcastHub = new BroadcastHub({
    onFlush: (payload, clients) => {
      messagesSent.inc(clients);
      bytesSent.inc(clients * Buffer.byteLength(payload));
    },
  });
  metrics.gauge("cryptostream_broadcaster_connections", "Open WebSocket connections", () => hub.clientCount);

  const feed = await followPrices({
    nc,
    onTick: (tick) => {
      ticksIn.inc();
      hub.publish(tick);
    },
    onReject: (reason, message, seq) => {
      metrics.ticksRejected.inc({ stage: "broadcaster", reason });
      logger.warn({ reason, seq }, `rejected tick from PRICES: ${message}`);
    },
  });

  const server = createHttpServer({
    registry: metrics.registry,
    logger,
    health: () => ({
      ok: !nc.isClosed(),
      nats: { connected: !nc.isClosed(), server: nc.getServer() },
      clients: hub.clientCount,
      lastSeq: hub.lastSeq,
    }),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname !== WEBSOCKET_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", (error) => logger.debug({ err: error.message }, "client socket error"));
      ws.on("close", () => hub.remove(ws));
      hub.add(ws);
    });
  });
  const boundPort = await listen(server, config.BROADCASTER_PORT);
  logger.info({ port: boundPort, path: WEBSOCKET_PATH }, "broadcaster listening");

  return {
    port: boundPort,
    hub,
    async close() {
      for (const client of wss.clients) client.close(1001, "going away");
      await feed.stop();
      wss.close();
      await closeServer(server);
    },
  };
}
