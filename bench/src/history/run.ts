// History benchmark: GET /api/history/:symbol at a fixed 2,000 requests per second, and
// GET /api/ticks streaming a large window to one client, each side by side with a baseline.
//   pnpm --dir bench history [--runs 3] [--seconds 10] [--rate 2000] [--connections 10] [--window 100000] [--stream-runs 15]
import http from "node:http";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import autocannon from "autocannon";
import { DEFAULT_ASSETS, ensurePriceHistoryBucket, ensurePricesStream, tickMsgId, type Tick } from "@cryptostream/core";
import { cpuTimeMs, startNatsServer, waitFor } from "@cryptostream/testing";
import { median, startTsProcess, stopProcess, summariseLoad, type LoadRow } from "../lib/process";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "2000" },
    window: { type: "string", default: "100000" },
    connections: { type: "string", default: "10" },
    "stream-runs": { type: "string", default: "15" },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const windowSize = Number(values.window);
const connections = Number(values.connections);
const streamRuns = Number(values["stream-runs"]);
const serverFile = fileURLToPath(new URL("./server.ts", import.meta.url));
const SYMBOLS = DEFAULT_ASSETS.map((asset) => asset.symbol);

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 1_000_000, duplicateWindowMs: 120_000 });
await ensurePriceHistoryBucket(nc);
const js = jetstream(nc);
let ts = Date.now() - 3_600_000;
async function publishTicks(count: number, symbols: string[]) {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const tick: Tick = { symbol: symbols[i % symbols.length]!, price: 100 + (i % 1000) / 10, ts: ts++, source: "bench", change24h: 1.5, volume24h: 1e9 };
    batch.push(js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) }));
    if (batch.length === 2_000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

console.log(`nats-server ${nats.url}; ${runs} runs of each; medians below\n`);

// --- GET /api/history/:symbol ------------------------------------------------------------------
await publishTicks(SYMBOLS.length * 50, SYMBOLS);
const service = await startTsProcess<{ port: number }>(serverFile, ["service", nats.url]);
await waitFor(
  "history to fill its window",
  async () => {
    const body = (await (await fetch(`http://127.0.0.1:${service.ready.port}/api/history/uni`)).json()) as { ticks?: unknown[] };
    return body.ticks?.length === 50;
  },
  30_000,
);
const baseline = await startTsProcess<{ port: number }>(serverFile, ["baseline", nats.url]);

async function load(pid: number, port: number): Promise<LoadRow> {
  const cpuBefore = cpuTimeMs(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    overallRate: rate,
    duration: seconds,
    requests: SYMBOLS.map((symbol) => ({ method: "GET", path: `/api/history/${symbol}` })),
  });
  const cpu = cpuTimeMs(pid) - cpuBefore;
  const requests = result.requests.total;
  return {
    rps: requests / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx + result.timeouts,
    cpuUsPerRequest: (cpu * 1000) / requests,
  };
}
const historyRows: Record<"memory" | "bucket", LoadRow[]> = { memory: [], bucket: [] };
for (let run = 0; run < runs; run++) {
  historyRows.memory.push(await load(service.child.pid!, service.ready.port));
  historyRows.bucket.push(await load(baseline.child.pid!, baseline.ready.port));
}
await stopProcess(service.child);

const summarise = summariseLoad;
const memory = summarise(historyRows.memory);
const bucket = summarise(historyRows.bucket);
console.log(`GET /api/history/:symbol at ${rate} req/s offered, ${seconds} s, ${connections} connections, 20 symbols x 50 ticks`);
console.log("| handler | req/s done | p50 ms | p99 ms | max ms | errors | server CPU µs/request |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const [name, row] of [
  ["history (in-memory window)", memory],
  ["baseline (reads the bucket per request)", bucket],
] as const) {
  console.log(`| ${name} | ${row.rps.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.max} | ${row.errors} | ${row.cpu.toFixed(1)} |`);
}
console.log(`ratio of server CPU per request, baseline / history: ${(bucket.cpu / memory.cpu).toFixed(1)}x\n`);

// --- GET /api/ticks --------------------------------------------------------------------------
await publishTicks(windowSize, SYMBOLS.slice(0, 10));
const routes = await startTsProcess<{ port: number }>(serverFile, ["routes", nats.url]);

interface StreamRow {
  lines: number;
  ticksPerSecond: number;
  serverUs: number;
  natsUs: number;
  clientUs: number;
}
/** One read of the window by a lean client (node:http, newlines counted in the raw bytes), with the CPU each party spent per tick. */
async function stream(pid: number, port: number): Promise<StreamRow> {
  const cpuBefore = { server: cpuTimeMs(pid), nats: cpuTimeMs(nats.pid!), client: process.cpuUsage() };
  const started = performance.now();
  const lines = await new Promise<number>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/api/ticks?since=2h&limit=${windowSize}`, (response) => {
        if (response.statusCode !== 200) reject(new Error(`GET /api/ticks: ${response.statusCode}`));
        let count = 0;
        response.on("data", (chunk: Buffer) => {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
        });
        response.on("end", () => resolve(count));
        response.on("error", reject);
      })
      .on("error", reject);
  });
  const secondsTaken = (performance.now() - started) / 1000;
  const client = process.cpuUsage(cpuBefore.client);
  const perTick = (ms: number) => (ms * 1000) / lines;
  return {
    lines,
    ticksPerSecond: lines / secondsTaken,
    serverUs: perTick(cpuTimeMs(pid) - cpuBefore.server),
    natsUs: perTick(cpuTimeMs(nats.pid!) - cpuBefore.nats),
    clientUs: perTick((client.user + client.system) / 1000),
  };
}
const readers = [
  { name: "history (push consumer, stored JSON reused, NDJSON in 64 KiB chunks)", pid: routes.child.pid!, port: routes.ready.port, rows: [] as StreamRow[] },
  {
    name: "baseline (NATS.js ordered consumer, each tick parsed and encoded again)",
    pid: baseline.child.pid!,
    port: baseline.ready.port,
    rows: [] as StreamRow[],
  },
];
for (const reader of readers) await stream(reader.pid, reader.port); // warm-up: JIT, page cache
for (let run = 0; run < streamRuns; run++) {
  for (const reader of readers) reader.rows.push(await stream(reader.pid, reader.port));
}
console.log(`GET /api/ticks to one client: a window of ${windowSize} ticks, ${streamRuns} reads each after one warm-up, alternating`);
console.log("| reader | ticks | ticks/s (median) | ticks/s (each read) | server CPU µs/tick | nats-server CPU µs/tick | client CPU µs/tick |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const { name, rows } of readers) {
  const each = rows.map((r) => Math.round(r.ticksPerSecond / 1000)).join(", ");
  const mid = (pick: (row: StreamRow) => number) => median(rows.map(pick)).toFixed(2);
  console.log(
    `| ${name} | ${rows[0]!.lines} | ${median(rows.map((r) => r.ticksPerSecond)).toFixed(0)} | ${each} (thousands) | ${mid((r) => r.serverUs)} | ${mid((r) => r.natsUs)} | ${mid((r) => r.clientUs)} |`,
  );
}
const [ours, theirs] = readers.map((reader) => reader.rows);
console.log(
  `ratio of ticks per second, history / baseline: ${(median(ours!.map((r) => r.ticksPerSecond)) / median(theirs!.map((r) => r.ticksPerSecond))).toFixed(1)}x`,
);
console.log(`ratio of server CPU per tick, baseline / history: ${(median(theirs!.map((r) => r.serverUs)) / median(ours!.map((r) => r.serverUs))).toFixed(1)}x`);

await stopProcess(routes.child);
await stopProcess(baseline.child);
await nc.close();
await nats.cleanup();
