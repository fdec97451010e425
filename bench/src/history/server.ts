// One HTTP server of the history benchmark, in a process of its own so its CPU time can be read.
//   service    the real history service (startHistory)
//   routes     history's real routes alone, without the KV writer competing for CPU
//   baseline   naive handlers: read the bucket on every history request; a window through NATS.js's ordered consumer
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  PRICE_HISTORY_BUCKET,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  createHttpServer,
  createLogger,
  createMetrics,
  decodeTick,
  listen,
  sendJson,
  symbolFromSubject,
  systemClock,
  type SequencedTick,
  WindowReadSlots,
} from "@cryptostream/core";
import { AssetsCache, CandleStore, RecentTicks, historyRoutes, loadHistoryConfig, startHistory } from "@cryptostream/history";

const [mode = "service", natsUrl = "nats://127.0.0.1:4222"] = process.argv.slice(2);
const logger = createLogger({ service: `bench-${mode}`, level: "warn", format: "json" });
const nc = await connect({ servers: natsUrl });
const metrics = createMetrics("history");

let port: number;
if (mode === "service") {
  // The stream as run.ts made it, so the service has nothing to warn about on stdout, which reports the port.
  const config = loadHistoryConfig({ NATS_URL: natsUrl, HISTORY_PORT: "0", PRICES_MAX_PER_SUBJECT: "1000000", CANDLE_BACKFILL: "false" });
  const history = await startHistory({ config, nc, logger, metrics });
  port = history.port;
} else if (mode === "routes") {
  const reads = {
    nc,
    slots: new WindowReadSlots({ maxConcurrent: 4, maxPerClient: 4, maxQueued: 64, maxWaitMs: 5_000 }),
    trustedProxies: { kind: "none" } as const,
    sendTimeoutMs: 30_000,
  };
  const routes = historyRoutes({
    recent: new RecentTicks(),
    assets: new AssetsCache(),
    candles: new CandleStore(),
    forming: () => undefined,
    reads,
    clock: systemClock,
  });
  port = await listen(createHttpServer({ routes, registry: metrics.registry, logger, health: () => ({ ok: true }) }), 0, "127.0.0.1");
} else {
  const kv = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
  const js = jetstream(nc);
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
        // The read path history had before: NATS.js's ordered (pulled) consumer from a start time,
        // each tick parsed, checked and encoded again, written in 64 KiB chunks with backpressure.
        handler: async (_req, res, _params, url) => {
          const limit = Number(url.searchParams.get("limit") ?? 10_000);
          const sinceMs = Date.now() - 7_200_000;
          const consumer = await js.consumers.get(PRICES_STREAM, { filter_subjects: PRICE_SUBJECTS, opt_start_time: new Date(sinceMs).toISOString() });
          const messages = await consumer.consume({ max_messages: Math.min(limit, 8_192) });
          res.writeHead(200, { "content-type": "application/x-ndjson" });
          let chunk = "";
          let sent = 0;
          for await (const message of messages) {
            const result = decodeTick(message.string(), symbolFromSubject(message.subject));
            if (result.ok) {
              chunk += `${JSON.stringify({ ...result.tick, seq: message.info.streamSequence })}\n`;
              sent++;
            }
            if (chunk.length >= 65_536) {
              const flushed = res.write(chunk);
              chunk = "";
              if (!flushed) await new Promise((resolve) => res.once("drain", resolve));
            }
            if (sent >= limit || message.info.pending === 0) break;
          }
          await messages.close();
          res.end(chunk);
        },
      },
    ],
  });
  port = await listen(server, 0, "127.0.0.1");
}
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => process.exit(0));
// The scale benchmark reads RSS after a collection (run with --expose-gc).
process.on("SIGUSR2", () => (globalThis as { gc?: () => void }).gc?.());
