// Candles benchmark, two parts:
// 1. GET /api/candles/btc?interval=1m&since=7d (10,080 candles) at a fixed rate, history (from
//    memory) side by side with a handler that reads the candles from the stream on every request.
// 2. Catch-up: the rate at which history folds a stream of ticks into candles (and publishes them),
//    beside the floors: reading and decoding the same ticks alone, and the fold alone in memory.
//   pnpm --dir bench candles [--runs 3] [--seconds 10] [--rate 500] [--connections 10] [--ticks 2000000] [--only http|catchup]
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  CANDLES_STREAM,
  DEFAULT_ASSETS,
  CandleAggregator,
  PRICES_STREAM,
  candleMsgId,
  candleSubject,
  decodeTick,
  ensureCandlesStream,
  ensurePricesStream,
  tickMsgId,
  visitTickWindow,
  type Candle,
  type SequencedTick,
  type Tick,
} from "@cryptostream/core";
import { cpuTimeMs, startNatsServer, waitFor } from "@cryptostream/testing";
import { openLoopLoad, percentile } from "../lib/http-load";
import { publishAll } from "../lib/publish";
import { median, startTsProcess, stopProcess, summariseLoad, type LoadRow } from "../lib/process";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
    connections: { type: "string", default: "10" },
    ticks: { type: "string", default: "2000000" },
    /** `http` or `catchup`: one part only. */
    only: { type: "string", default: "" },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const connections = Number(values.connections);
const tickCount = Number(values.ticks);
const serverFile = fileURLToPath(new URL("./server.ts", import.meta.url));
const SYMBOLS = DEFAULT_ASSETS.map((asset) => asset.symbol);
const MINUTE = 60_000;
const BASELINE_RATE = 2;
/** With BENCH_CPU_PROF=<dir>, history's processes write a CPU profile there. */
const cpuProfile = () => (process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []);

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
console.log(`nats-server ${nats.url}; medians of ${runs} runs\n`);

/** Part 1. */
async function httpPart(): Promise<void> {
  // --- 1. GET /api/candles --------------------------------------------------------------------------
  await ensureCandlesStream(nc);
  const lastBar = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  function* weekOfMinutes(): Generator<Candle> {
    let price = 98_000;
    for (let openTime = lastBar - (7 * 1_440 + 60) * MINUTE; openTime <= lastBar; openTime += MINUTE) {
      const open = price;
      price = Math.round(price * (1 + (Math.sin(openTime / 3_600_000) + Math.cos(openTime / 700_000)) / 2_000) * 100) / 100;
      const [high, low] = [Math.max(open, price) + 5, Math.min(open, price) - 5];
      yield { symbol: "btc", interval: "1m", openTime, open, high, low, close: price, ticks: 60, firstSeq: 0, lastSeq: 0, source: "binance" };
    }
  }
  await publishAll(js, weekOfMinutes(), (c) => candleSubject(c.interval, c.symbol), candleMsgId);
  const path = "/api/candles/btc?interval=1m&since=7d";
  const service = await startTsProcess<{ port: number }>(serverFile, ["service", nats.url], {}, cpuProfile());
  const baseline = await startTsProcess<{ port: number }>(serverFile, ["baseline", nats.url]);
  const countOfReady = async () => ((await (await fetch(`http://127.0.0.1:${service.ready.port}${path}`)).json()) as { candles: unknown[] }).candles.length;
  await waitFor("history to hold the week", async () => (await countOfReady()) >= 10_080, 60_000);
  const floor = await startTsProcess<{ port: number }>(serverFile, ["floor", nats.url, "", String(service.ready.port), path]);
  const countOf = async (port: number) => ((await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as { candles: unknown[] }).candles.length;
  await waitFor("history to hold the week", async () => (await countOf(service.ready.port)) >= 10_080, 60_000);
  const bodyBytes = (await (await fetch(`http://127.0.0.1:${service.ready.port}${path}`, { headers: { "accept-encoding": "identity" } })).arrayBuffer())
    .byteLength;
  // A live btc tick every second meanwhile: the forming candle, and so the answer, changes as in use.
  const liveTicks = setInterval(() => {
    const tick: Tick = { symbol: "btc", price: 98_000 + Math.random() * 100, ts: Date.now(), source: "bench" };
    void js.publish("prices.btc", JSON.stringify(tick), { msgID: tickMsgId(tick) });
  }, 1_000);
  console.log(
    `${await countOf(service.ready.port)} candles in each answer (history), ${await countOf(baseline.ready.port)} (baseline); ${(bodyBytes / 1e6).toFixed(2)} MB a body (before gzip); a btc tick every second changes the forming candle`,
  );

  async function load(pid: number, port: number, offered: number): Promise<LoadRow> {
    const cpuBefore = cpuTimeMs(pid);
    const clientBefore = process.cpuUsage();
    // As a browser asks: gzip taken.
    const result = await openLoopLoad(`http://127.0.0.1:${port}${path}`, offered, seconds, connections, { "accept-encoding": "gzip" });
    const requests = result.requests;
    const client = process.cpuUsage(clientBefore);
    return {
      clientUsPerRequest: (client.user + client.system) / requests,
      rps: requests / seconds,
      p50: Math.round(percentile(result.latencies, 0.5) * 10) / 10,
      p99: Math.round(percentile(result.latencies, 0.99) * 10) / 10,
      max: Math.round(percentile(result.latencies, 1) * 10) / 10,
      errors: result.errors,
      cpuUsPerRequest: ((cpuTimeMs(pid) - cpuBefore) * 1000) / requests,
    };
  }
  // The baseline cannot keep up with the rate (a few requests a second at most): it is offered 2 a second, so it answers at all.
  const rows = { memory: [] as LoadRow[], stream: [] as LoadRow[], floor: [] as LoadRow[] };
  for (let run = 0; run < runs; run++) {
    rows.memory.push(await load(service.child.pid!, service.ready.port, rate));
    rows.floor.push(await load(floor.child.pid!, floor.ready.port, rate));
    rows.stream.push(await load(baseline.child.pid!, baseline.ready.port, BASELINE_RATE));
  }
  clearInterval(liveTicks);
  await stopProcess(service.child);
  await stopProcess(baseline.child);
  await stopProcess(floor.child);
  const summary = summariseLoad;
  const memory = summary(rows.memory);
  const stream = summary(rows.stream);
  const bare = summary(rows.floor);
  console.log(`GET ${path}: ${seconds} s, ${connections} connections`);
  console.log("| handler | offered req/s | done req/s | p50 ms | p99 ms | max ms | errors | server CPU µs/request | load client CPU µs/request |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const row = (name: string, offered: number, r: ReturnType<typeof summary>) =>
    `| ${name} | ${offered} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} | ${r.cpu.toFixed(0)} | ${r.client.toFixed(0)} |`;
  console.log(row("history (from memory, encoded and gzipped once per change)", rate, memory));
  console.log(row("floor (bare node:http, the same gzipped bytes, nothing else)", rate, bare));
  console.log(row("baseline (reads the stream per request)", BASELINE_RATE, stream));
  console.log(
    `server CPU per request: history ${(memory.cpu / bare.cpu).toFixed(2)}x the floor; the baseline ${(stream.cpu / memory.cpu).toFixed(0)}x history`,
  );
  console.log(`p99 goal 5 ms at ${rate} req/s: ${memory.p99 <= 5 && memory.rps >= rate * 0.98 ? "met" : "NOT met"}\n`);
}

/** Part 2. */
async function catchUpPart(): Promise<void> {
  // --- 2. Catch-up ------------------------------------------------------------------------------------
  await jsm.streams.delete(CANDLES_STREAM).catch(() => undefined);
  const start = Date.now() - 23 * 3_600_000;
  const stepMs = Math.floor((22 * 3_600_000) / tickCount) || 1;
  function* ticks(): Generator<Tick> {
    for (let i = 0; i < tickCount; i++) {
      yield { symbol: SYMBOLS[i % SYMBOLS.length]!, price: 100 + ((i * 7919) % 1000) / 10, ts: start + i * stepMs, source: "bench" };
    }
  }
  const publishStarted = performance.now();
  await publishAll(js, ticks(), (t) => `prices.${t.symbol}`, tickMsgId);
  const { state } = await jsm.streams.info(PRICES_STREAM);
  console.log(
    `${state.messages.toLocaleString("en-US")} ticks in PRICES (published in ${((performance.now() - publishStarted) / 1000).toFixed(0)} s), ${SYMBOLS.length} symbols over 22 h of event time`,
  );

  /** Floor 1: the same ticks read and decoded by an ordered consumer, nothing else. */
  async function readOnly(): Promise<{ seconds: number; decoded: SequencedTick[] }> {
    const started = performance.now();
    const consumer = await js.consumers.get(PRICES_STREAM, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 4_096 });
    const decoded: SequencedTick[] = [];
    for await (const message of messages) {
      const result = decodeTick(message.string());
      if (result.ok) decoded.push({ ...result.tick, seq: message.seq });
      if (message.seq >= state.last_seq) break;
    }
    await messages.close();
    return { seconds: (performance.now() - started) / 1000, decoded };
  }
  /** Floor 1b: the same ticks read and decoded by the window reader (push consumer, flow control), nothing else. */
  async function windowReadOnly(): Promise<number> {
    const started = performance.now();
    let count = 0;
    await visitTickWindow(nc, { fromSeq: 1, limit: Number.MAX_SAFE_INTEGER }, { onTick: () => void count++ });
    if (count !== state.messages) throw new Error(`window reader read ${count} of ${state.messages}`);
    return (performance.now() - started) / 1000;
  }
  /** Floor 2: the fold alone, in memory. */
  function foldOnly(decoded: readonly SequencedTick[]): { seconds: number; candles: number } {
    const started = performance.now();
    const aggregator = new CandleAggregator();
    let candles = 0;
    for (const tick of decoded) candles += aggregator.add(tick).length;
    return { seconds: (performance.now() - started) / 1000, candles };
  }
  /** History's candle writer from a standing start: CANDLES empty, every tick to fold and every candle to publish. */
  async function historyCatchUp(): Promise<{ seconds: number; cpuSeconds: number; candles: number }> {
    await jsm.streams.delete(CANDLES_STREAM).catch(() => undefined);
    const { child, ready } = await startTsProcess<{ seconds: number; cpuMs: number }>(serverFile, ["fold", nats.url, String(state.last_seq)], {}, cpuProfile());
    await new Promise((resolve) => child.once("exit", resolve));
    const candles = (await jsm.streams.info(CANDLES_STREAM)).state.messages;
    return { seconds: ready.seconds, cpuSeconds: ready.cpuMs / 1000, candles };
  }

  const readRuns: number[] = [];
  const windowRuns: number[] = [];
  const foldRuns: number[] = [];
  const historyRuns: { seconds: number; cpuSeconds: number; candles: number }[] = [];
  let foldedCandles = 0;
  for (let run = 0; run < runs; run++) {
    const read = await readOnly();
    readRuns.push(read.seconds);
    windowRuns.push(await windowReadOnly());
    const fold = foldOnly(read.decoded);
    foldRuns.push(fold.seconds);
    foldedCandles = fold.candles;
    historyRuns.push(await historyCatchUp());
  }
  const perSecond = (secondsTaken: number) => Math.round(state.messages / secondsTaken).toLocaleString("en-US");
  const historySeconds = median(historyRuns.map((r) => r.seconds));
  console.log(`Catch-up over ${state.messages.toLocaleString("en-US")} ticks (${foldedCandles.toLocaleString("en-US")} closed candles)`);
  console.log("| what | seconds | ticks/s | history CPU µs/tick |");
  console.log("| --- | --- | --- | --- |");
  console.log(
    `| history's candle writer from a standing start (read, decode, fold, publish every candle) | ${historySeconds.toFixed(1)} | ${perSecond(historySeconds)} | ${((median(historyRuns.map((r) => r.cpuSeconds)) * 1e6) / state.messages).toFixed(2)} |`,
  );
  console.log(
    `| floor: read and decode only, window reader (push consumer, what the writer catches up with) | ${median(windowRuns).toFixed(1)} | ${perSecond(median(windowRuns))} | |`,
  );
  console.log(`| floor: read and decode only, NATS.js ordered consumer (pulled) | ${median(readRuns).toFixed(1)} | ${perSecond(median(readRuns))} | |`);
  console.log(`| floor: fold only, in memory | ${median(foldRuns).toFixed(2)} | ${perSecond(median(foldRuns))} | |`);
  console.log(
    `candles stored by history: ${historyRuns.map((r) => r.candles).join(", ")}; goal 200,000 ticks/s: ${state.messages / historySeconds >= 200_000 ? "met" : "NOT met"}`,
  );
}

await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 10_000_000, duplicateWindowMs: 120_000 });
if (values.only !== "catchup") await httpPart();
if (values.only !== "http") await catchUpPart();
await nc.close();
await nats.cleanup();
