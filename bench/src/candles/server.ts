// One side of the candles benchmark, in a process of its own (its CPU measured alone):
//   service <natsUrl>: history itself (CANDLES read into memory, GET /api/candles from it)
//   baseline <natsUrl>: GET /api/candles/:symbol reading the candles from the stream on every request
//   floor <natsUrl>: the physical floor: a bare node:http server answering every request with one
//     gzipped body fetched from history once (the same bytes), no routing, no lookup
//   fold <natsUrl> <lastSeq>: history's candle writer alone, from a standing start, until it has folded
//     PRICES up to lastSeq with every candle stored
// Prints {"port": N} once it serves; fold prints {"seconds": S, "cpuMs": C} once done.
import http from "node:http";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  CANDLE_INTERVALS,
  CANDLES_STREAM,
  candleSubject,
  createHttpServer,
  createLogger,
  createMetrics,
  decodeCandle,
  isCandleInterval,
  listen,
  parseTimeBound,
  sendJson,
  systemClock,
  type Candle,
} from "@cryptostream/core";
import { historyMetrics, loadHistoryConfig, startCandles, startHistory } from "@cryptostream/history";

// Exits on SIGTERM through process.exit, so a --cpu-prof profile is written.
process.once("SIGTERM", () => process.exit(0));
const [mode, natsUrl, lastSeq] = process.argv.slice(2) as ["service" | "baseline" | "floor" | "fold", string, string | undefined];
const logger = createLogger({ service: `bench-${mode}`, level: "warn", format: "json" });
const nc = await connect({ servers: natsUrl });
const metrics = createMetrics("history");

let port = 0;
if (mode === "floor") {
  const [historyPort, path] = process.argv.slice(5);
  const body = await new Promise<Buffer>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${historyPort}${path}`, { headers: { "accept-encoding": "gzip" } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks)));
      })
      .on("error", reject);
  });
  const headers = { "content-type": "application/json; charset=utf-8", "content-encoding": "gzip", "content-length": String(body.length) };
  const server = http.createServer((_req, res) => res.writeHead(200, headers).end(body));
  port = await listen(server, 0, "127.0.0.1");
} else if (mode === "fold") {
  const config = loadHistoryConfig({ NATS_URL: natsUrl, CANDLE_BACKFILL: "false" });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const candles = await startCandles(nc, config, logger, systemClock, historyMetrics(metrics, logger, config.HISTORY_DURABLE).candleEvents);
  await candles.startWriting(() => true);
  while (candles.fold().foldedSeq() < Number(lastSeq)) await new Promise((resolve) => setTimeout(resolve, 20));
  const used = process.cpuUsage(cpu);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 }));
  await candles.close();
  process.exit(0);
} else if (mode === "service") {
  const config = loadHistoryConfig({ NATS_URL: natsUrl, HISTORY_PORT: "0", CANDLE_BACKFILL: "false" });
  port = (await startHistory({ config, nc, logger, metrics })).port;
} else {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const server = createHttpServer({
    registry: metrics.registry,
    logger,
    health: () => ({ ok: true }),
    routes: [
      {
        method: "GET",
        path: "/api/candles/:symbol",
        handler: async (_req, res, params, url) => {
          const interval = url.searchParams.get("interval") ?? "1h";
          const since = parseTimeBound(url.searchParams.get("since") ?? "24h", Date.now());
          if (!isCandleInterval(interval) || since === undefined) return sendJson(res, 400, { error: "bad request" });
          const subject = candleSubject(interval, params.symbol!);
          const { state } = await jsm.streams.info(CANDLES_STREAM, { subjects_filter: subject });
          const count = state.subjects?.[subject] ?? 0;
          const consumer = await js.consumers.get(CANDLES_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
          const candles: Candle[] = [];
          for (let read = 0; read < count; ) {
            // Asks for exactly what is left, so the last batch ends with its last candle, not at its expiry.
            const batch = await consumer.fetch({ max_messages: Math.min(10_000, count - read), expires: 2_000 });
            for await (const message of batch) {
              read++;
              const decoded = decodeCandle(message.string());
              if (decoded.ok && decoded.candle.openTime + CANDLE_INTERVALS[interval] > since) candles.push(decoded.candle);
            }
          }
          sendJson(res, 200, { symbol: params.symbol, interval, candles, forming: null });
        },
      },
    ],
  });
  port = await listen(server, 0, "127.0.0.1");
}
console.log(JSON.stringify({ port }));
