// One HTTP server of the history benchmark, in a process of its own so its CPU time can be read.
//   service    the real history service (startHistory)
//   routes     history's real routes alone, without the KV writer competing for CPU
//   baseline   naive handlers: read the bucket on every history request, one direct get per tick for a window
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  PRICE_HISTORY_BUCKET,
  PRICES_STREAM,
  createHttpServer,
  createLogger,
  createMetrics,
  listen,
  sendJson,
  type SequencedTick,
} from "@cryptostream/core";
import { AssetsCache, HistoryWindow, historyRoutes, loadHistoryConfig, startHistory } from "@cryptostream/history";

const [mode = "service", natsUrl = "nats://127.0.0.1:4222"] = process.argv.slice(2);
const logger = createLogger({ service: `bench-${mode}`, level: "warn", format: "json" });
const nc = await connect({ servers: natsUrl });
const metrics = createMetrics("history");

let port: number;
if (mode === "service") {
  const history = await startHistory({ config: loadHistoryConfig({ NATS_URL: natsUrl, HISTORY_PORT: "0" }), nc, logger, metrics });
  port = history.port;
} else if (mode === "routes") {
  const routes = historyRoutes({ window: new HistoryWindow(), assets: new AssetsCache(), nc });
  port = await listen(createHttpServer({ routes, registry: metrics.registry, logger, health: () => ({ ok: true }) }), 0, "127.0.0.1");
} else {
  const kv = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
  const jsm = await jetstreamManager(nc);
  const server = createHttpServer({
    registry: metrics.registry,
    logger,
    health: () => ({ ok: true }),
    routes: [
      {
        method: "GET",
        path: "/api/history/:symbol",
        handler: async (_req, res, params) => {
          const ticks: SequencedTick[] = [];
          for await (const entry of await kv.history({ key: params.symbol! })) ticks.push(entry.json<SequencedTick>());
          sendJson(res, 200, { symbol: params.symbol, ticks });
        },
      },
      {
        method: "GET",
        path: "/api/ticks",
        handler: async (_req, res, _params, url) => {
          const limit = Number(url.searchParams.get("limit") ?? 10_000);
          const { state } = await jsm.streams.info(PRICES_STREAM);
          res.writeHead(200, { "content-type": "application/x-ndjson" });
          for (let seq = state.first_seq, sent = 0; seq <= state.last_seq && sent < limit; seq++, sent++) {
            const message = await jsm.streams.getMessage(PRICES_STREAM, { seq });
            res.write(`${JSON.stringify({ ...message!.json<object>(), seq })}\n`);
          }
          res.end();
        },
      },
    ],
  });
  port = await listen(server, 0, "127.0.0.1");
}
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => process.exit(0));
