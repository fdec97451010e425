// One fan-out server of the benchmark, in a process of its own so its CPU time and RSS can be read.
//   cryptostream  the real broadcaster (startBroadcaster)
//   naive         what the seed gateways do: JSON.stringify and ws.send per tick per client, no batching
//   floor         the socket floor: the same ticks, batched on the same flush interval, one
//                 pre-framed buffer per client per flush written with socket.write, nothing else
import type { Duplex } from "node:stream";
import { createLogger, createMetrics, listen, type SequencedTick } from "@cryptostream/core";
import { followPrices, loadBroadcasterConfig, startBroadcaster, textFrame } from "@cryptostream/broadcaster";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const [mode = "cryptostream", natsUrl = "nats://127.0.0.1:4222"] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl });
const logger = createLogger({ service: `bench-${mode}`, level: "warn", format: "json" });

const config = loadBroadcasterConfig({
  NATS_URL: natsUrl,
  BROADCASTER_PORT: "0",
  MAX_CONNECTIONS: "100000",
  MAX_CONNECTIONS_PER_IP: "100000",
  LOG_LEVEL: "warn",
});

async function startCryptoStream(): Promise<number> {
  return (await startBroadcaster({ config, nc, logger, metrics: createMetrics("broadcaster") })).port;
}

async function startNaive(nc: NatsConnection): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ server, path: "/ws" });
  await followPrices({
    logger,
    nc,
    onTick: (tick) => {
      for (const client of wss.clients) client.send(JSON.stringify({ type: "ticks", ticks: [tick] }));
    },
    onReject: () => undefined,
  });
  return listen(server, 0, "127.0.0.1");
}

async function startFloor(nc: NatsConnection): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  const sockets = new Set<Duplex>();
  server.on("upgrade", (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(socket);
      ws.on("close", () => sockets.delete(socket));
    }),
  );
  let pending: SequencedTick[] = [];
  const flush = () => {
    const frame = textFrame(Buffer.from(JSON.stringify({ type: "ticks", ticks: pending })));
    pending = [];
    for (const socket of sockets) socket.write(frame);
  };
  await followPrices({
    logger,
    nc,
    onTick: (tick) => {
      if (pending.push(tick) === 1) setTimeout(flush, config.FLUSH_INTERVAL);
    },
    onReject: () => undefined,
  });
  return listen(server, 0, "127.0.0.1");
}

const port = mode === "cryptostream" ? await startCryptoStream() : mode === "floor" ? await startFloor(nc) : await startNaive(nc);
// The benchmark asks for a collection before it reads RSS, so it measures what connections hold, not garbage.
process.on("SIGUSR2", () => (globalThis as { gc?: () => void }).gc?.());
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => process.exit(0));
