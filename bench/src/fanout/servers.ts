// One fan-out server of the benchmark, in a process of its own so its CPU time and RSS can be read.
//   cryptostream  the real broadcaster (startBroadcaster)
//   naive         what the seed gateways do: JSON.stringify and ws.send per tick per client, no batching
import { createLogger, createMetrics, listen } from "@cryptostream/core";
import { followPrices, loadBroadcasterConfig, startBroadcaster } from "@cryptostream/broadcaster";
import { connect } from "@nats-io/transport-node";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const [mode = "cryptostream", natsUrl = "nats://127.0.0.1:4222"] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl });
const logger = createLogger({ service: `bench-${mode}`, level: "warn", format: "json" });

let port: number;
if (mode === "cryptostream") {
  const config = loadBroadcasterConfig({
    NATS_URL: natsUrl,
    BROADCASTER_PORT: "0",
    MAX_CONNECTIONS: "100000",
    MAX_CONNECTIONS_PER_IP: "100000",
    LOG_LEVEL: "warn",
  });
  port = (await startBroadcaster({ config, nc, logger, metrics: createMetrics("broadcaster") })).port;
} else {
  const server = createServer();
  const wss = new WebSocketServer({ server, path: "/ws" });
  await followPrices({
    nc,
    onTick: (tick) => {
      for (const client of wss.clients) client.send(JSON.stringify({ type: "ticks", ticks: [tick] }));
    },
    onReject: () => undefined,
  });
  port = await listen(server, 0, "127.0.0.1");
}
// The benchmark asks for a collection before it reads RSS, so it measures what connections hold, not garbage.
process.on("SIGUSR2", () => (globalThis as { gc?: () => void }).gc?.());
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => process.exit(0));
