// Sizing: the figures of docs/scale.md, each measured on real processes here.
// 1. broadcaster: CPU per delivery and per client-second at 20 and at 100 ticks/s (the fan-out
//    benchmark, run as it is, beside the socket floor): clients and deliveries one core serves.
// 2. history: requests a second one instance answers (`/api/history`, `/api/candles` for a 24H
//    chart), with CPU per request, and how the total grows over one, two and three instances.
// 3. memory: what history holds per symbol and per candle (RSS after a collection, on a reader).
//   pnpm --dir bench scale [--clients 2000] [--seconds 10] [--connections 16] [--only broadcaster|history|memory]
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { candleMsgId, candleSubject, ensureCandlesStream, ensurePricesStream, tickMsgId, type Candle, type Tick } from "@cryptostream/core";
import { cpuTimeMs, rssBytes, startNatsServer, waitFor } from "@cryptostream/testing";
import { closedLoopLoad, percentile } from "../lib/http-load";
import { startTsProcess, stopProcess } from "../lib/process";
import { publishAll } from "../lib/publish";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "2000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    only: { type: "string", default: "" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const part = (name: string) => values.only === "" || values.only === name;
const n = (value: number, digits = 0) => value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const MINUTE = 60_000;

/** Part 1: the fan-out benchmark as a child, one rate at a time; its rows parsed by their headers. */
async function broadcasterPart(): Promise<void> {
  console.log(`## Broadcaster: ${values.clients} clients, each following every symbol\n`);
  console.log("| ticks/s | server | µs CPU per delivery | µs CPU per client-second | clients per core | deliveries/s per core | p99 ms | RSS KB per client |");
  console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [symbols, rate] of [
    [20, 1],
    [50, 2],
  ] as const) {
    const rows = await fanoutRows(["--clients", values.clients, "--symbols", String(symbols), "--rate", String(rate), "--seconds", values.seconds]);
    for (const row of rows) {
      const perDelivery = Number(row["server CPU µs/delivery"]);
      const perClientSecond = Number(row["server CPU µs per client-second"]);
      console.log(
        `| ${symbols * rate} | ${row.server} | ${perDelivery.toFixed(2)} | ${perClientSecond.toFixed(1)} | ${n(1e6 / perClientSecond)} | ${n(1e6 / perDelivery)} | ${row["p99 ms"]} | ${row["RSS KB/conn"]} |`,
      );
    }
  }
  console.log("\nclients per core: 1 s of CPU divided by the CPU one client costs a second, at 100% of the core.\n");
}

async function fanoutRows(args: string[]): Promise<Record<string, string>[]> {
  const child = spawn(process.execPath, ["--import", "tsx", here("../fanout/run.ts"), ...args, "--servers", "floor,cryptostream"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise((resolve) => child.once("exit", resolve));
  const table = output.split("\n").filter((line) => line.startsWith("| "));
  const cells = (line: string) =>
    line
      .split("|")
      .slice(1, -1)
      .map((cell) => cell.trim());
  const header = cells(table[0]!);
  return table.slice(2).map((line) => Object.fromEntries(cells(line).map((cell, i) => [header[i]!, cell])));
}

/** A history instance (the real service) in a process of its own, with a collection on SIGUSR2. */
async function startInstance(natsUrl: string) {
  const started = await startTsProcess<{ port: number }>(here("../history/server.ts"), ["service", natsUrl], {}, ["--expose-gc", "--max-semi-space-size=1"]);
  return { child: started.child, pid: started.child.pid!, base: `http://127.0.0.1:${started.ready.port}` };
}
type Instance = Awaited<ReturnType<typeof startInstance>>;

/** RSS and V8's heap in use (from its /metrics), after a collection. */
async function settledMemory(instance: Instance): Promise<{ rss: number; heap: number }> {
  process.kill(instance.pid, "SIGUSR2");
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const metrics = await (await fetch(`${instance.base}/metrics`)).text();
  const heap = Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(metrics)?.[1] ?? Number.NaN);
  return { rss: rssBytes(instance.pid), heap };
}

/** Ticks for `symbols`, `perSymbol` each, a second apart from an hour ago. */
function* ticksOf(symbols: readonly string[], perSymbol: number): Generator<Tick> {
  const start = Date.now() - 3_600_000;
  for (let i = 0; i < perSymbol; i++) for (const symbol of symbols) yield { symbol, price: 100 + i, ts: start + i * 1_000, source: "bench" };
}
const publishTicks = (js: JetStreamClient, symbols: readonly string[], perSymbol: number) =>
  publishAll(js, ticksOf(symbols, perSymbol), (tick) => `prices.${tick.symbol}`, tickMsgId);
const publishCandles = (js: JetStreamClient, candles: Iterable<Candle>) =>
  publishAll(js, candles, (candle) => candleSubject(candle.interval, candle.symbol), candleMsgId);

/** `count` candles of each symbol, the last ending `endsAgoMs` before now. */
function* candlesOf(symbols: readonly string[], count: number, interval: "1m" | "5m", endsAgoMs: number): Generator<Candle> {
  const step = interval === "1m" ? MINUTE : 5 * MINUTE;
  const last = Math.floor((Date.now() - endsAgoMs) / step) * step;
  for (const symbol of symbols) {
    for (let i = count; i > 0; i--) {
      const openTime = last - i * step;
      yield { symbol, interval, openTime, open: 100, high: 101, low: 99, close: 100.5, ticks: 60, firstSeq: 0, lastSeq: 0, source: "binance" };
    }
  }
}

/** One closed-loop run against `urls`, with the history processes' CPU over it. */
async function measure(urls: string[], instances: Instance[]) {
  const before = instances.map((instance) => cpuTimeMs(instance.pid));
  const load = await closedLoopLoad(urls, connections, seconds);
  const serverCpuMs = instances.reduce((sum, instance, i) => sum + cpuTimeMs(instance.pid) - before[i]!, 0);
  return {
    rps: load.requests / seconds,
    p50: percentile(load.latencies, 0.5),
    p99: percentile(load.latencies, 0.99),
    errors: load.errors,
    serverUsPerRequest: (serverCpuMs * 1_000) / Math.max(load.requests, 1),
    serverCpuPercent: (serverCpuMs / (seconds * 1_000)) * 100,
    clientCpuPercent: (load.clientCpuMs / (seconds * 1_000)) * 100,
  };
}

/** Part 2. */
async function historyPart(natsUrl: string, js: JetStreamClient): Promise<Instance[]> {
  const symbols = Array.from({ length: 20 }, (_, i) => `h${i + 1}`);
  await publishTicks(js, symbols, 60);
  // A 24H chart's worth, up to the bar before the one forming.
  await publishCandles(js, candlesOf(["h1"], 288, "5m", 0));
  const instances = [await startInstance(natsUrl), await startInstance(natsUrl), await startInstance(natsUrl)];
  const paths = { "/api/history/:symbol": "/api/history/h1", "/api/candles/:symbol (24H chart: 288 5m candles)": "/api/candles/h1?interval=5m&since=24h" };
  for (const instance of instances) {
    await waitFor(
      "every instance to hold the ticks and candles",
      async () => {
        const history = (await (await fetch(`${instance.base}${paths["/api/history/:symbol"]}`)).json()) as { ticks?: unknown[] };
        const candles = (await (await fetch(`${instance.base}${paths["/api/candles/:symbol (24H chart: 288 5m candles)"]}`)).json()) as { candles?: unknown[] };
        return history.ticks?.length === 50 && (candles.candles?.length ?? 0) >= 280;
      },
      60_000,
    );
  }
  console.log(`## History: ${connections} keep-alive connections, closed loop, ${seconds} s each\n`);
  console.log(
    "| request | instances | requests/s | p50 ms | p99 ms | errors | µs history CPU per request | requests/s per core | history CPU % | load generator CPU % |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const row = (label: string, count: number, r: Awaited<ReturnType<typeof measure>>) =>
    console.log(
      `| ${label} | ${count} | ${n(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${n(r.serverUsPerRequest, 1)} | ${n(1e6 / r.serverUsPerRequest)} | ${n(r.serverCpuPercent)} | ${n(r.clientCpuPercent)} |`,
    );
  for (const [label, path] of Object.entries(paths)) row(label, 1, await measure([`${instances[0]!.base}${path}`], instances.slice(0, 1)));
  for (const count of [2, 3]) {
    const used = instances.slice(0, count);
    row(
      "/api/history/:symbol",
      count,
      await measure(
        used.map((instance) => `${instance.base}${paths["/api/history/:symbol"]}`),
        used,
      ),
    );
  }
  return instances;
}

/** Part 3: a reader's RSS before and after 1,000 symbols of ticks, then 200,000 candles. */
async function memoryPart(natsUrl: string, js: JetStreamClient, instances: Instance[]): Promise<void> {
  const running = instances.length > 0 ? instances : [await startInstance(natsUrl), await startInstance(natsUrl)];
  const reader = running.at(-1)!;
  const symbolCount = async () => ((await (await fetch(`${reader.base}/api/symbols`)).json()) as { symbols: unknown[] }).symbols.length;
  const kept = async () => ((await (await fetch(`${reader.base}/healthz`)).json()) as { candles: { kept: number } }).candles.kept;
  const [symbolsBefore, candlesBefore] = [await symbolCount(), await kept()];
  const empty = await settledMemory(reader);
  const SYMBOLS = 1_000;
  await publishTicks(
    js,
    Array.from({ length: SYMBOLS }, (_, i) => `m${i + 1}`),
    50,
  );
  await waitFor("the reader to hold 1,000 more symbols", async () => (await symbolCount()) >= symbolsBefore + SYMBOLS, 180_000);
  const withSymbols = await settledMemory(reader);
  // The board's request, which grows with the symbols: every one's latest tick, metadata and changes.
  const board = await measure([`${reader.base}/api/symbols`], [reader]);
  const CANDLES = 200_000;
  await publishCandles(
    js,
    // Ending two hours back: no bar of them is one the ticks above made (which would replace, not add).
    candlesOf(
      Array.from({ length: 100 }, (_, i) => `m${i + 1}`),
      CANDLES / 100,
      "1m",
      2 * 3_600_000,
    ),
  );
  await waitFor("the reader to hold 200,000 more candles", async () => (await kept()) >= candlesBefore + CANDLES, 180_000);
  const withCandles = await settledMemory(reader);
  console.log("\n## Memory of a history instance (a reader), after a collection\n");
  console.log("| what | added | RSS before | RSS after | RSS per item | V8 heap in use per item |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const row = (what: string, count: number, before: { rss: number; heap: number }, after: { rss: number; heap: number }) =>
    console.log(
      `| ${what} | ${n(count)} | ${mb(before.rss)} | ${mb(after.rss)} | ${n((after.rss - before.rss) / count)} bytes | ${n((after.heap - before.heap) / count)} bytes |`,
    );
  row("a symbol: its 50 ticks in price_history, its forming candles, its entry in /api/symbols", SYMBOLS, empty, withSymbols);
  row("a candle kept from CANDLES", CANDLES, withSymbols, withCandles);
  console.log(
    `\nGET /api/symbols with ${n(symbolsBefore + SYMBOLS)} symbols, closed loop on the reader: ${n(board.rps)} requests/s, p99 ${board.p99.toFixed(1)} ms, ${n(board.serverUsPerRequest)} µs history CPU per request (${n(1e6 / board.serverUsPerRequest)} requests/s per core)`,
  );
  await Promise.all(running.map((instance) => stopProcess(instance.child)));
}

if (part("broadcaster")) await broadcasterPart();
if (part("history") || part("memory")) {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 1_000_000, duplicateWindowMs: 120_000 });
  await ensureCandlesStream(nc);
  const js = jetstream(nc);
  const instances = part("history") ? await historyPart(nats.url, js) : [];
  if (part("memory")) await memoryPart(nats.url, js, instances);
  else await Promise.all(instances.map((instance) => stopProcess(instance.child)));
  await nc.close();
  await nats.cleanup();
}
process.exit(0);
