// Ingest benchmark: acknowledged ticks per second one process publishes to JetStream through
// ingest's TickPublisher (many publishes in flight), beside a baseline that awaits each ack
// before the next publish. Upstream is an in-process generator.
//   pnpm --dir bench ingest [--ticks 200000] [--runs 3]
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PRICES_STREAM, createLogger, ensurePricesStream, priceSubject, tickMsgId, type Tick } from "@cryptostream/core";
import { TickPublisher } from "@cryptostream/ingest";
import { cpuTimeMs, startNatsServer } from "@cryptostream/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { median } from "../lib/process";

const { values } = parseArgs({ options: { ticks: { type: "string", default: "200000" }, runs: { type: "string", default: "3" } } });
const total = Number(values.ticks);
const runs = Number(values.runs);
const CHUNK = 20_000;

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 10_000_000, duplicateWindowMs: 120_000 });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
const symbols = Array.from({ length: 50 }, (_, i) => `s${i + 1}`);
let ts = Date.now();
const nextTick = (i: number): Tick => ({
  symbol: symbols[i % symbols.length]!,
  price: 100 + (i % 1000) / 100,
  ts: ts++,
  source: "bench",
  change24h: 1.2,
  volume24h: 1e9,
});

async function measure(name: string, body: () => Promise<void>, count: number) {
  await jsm.streams.purge(PRICES_STREAM);
  const cpu0 = process.cpuUsage();
  const server0 = cpuTimeMs(nats.pid!);
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stored = (await jsm.streams.info(PRICES_STREAM)).state.messages;
  if (stored !== count) throw new Error(`${name}: ${stored} ticks stored, expected ${count}`);
  return {
    name,
    perSecond: count / seconds,
    cpuUsPerTick: (cpu.user + cpu.system) / count,
    serverCpuUsPerTick: ((cpuTimeMs(nats.pid!) - server0) * 1000) / count,
  };
}

const pipelined = () =>
  measure(
    "ingest TickPublisher (pipelined acks)",
    async () => {
      const publisher = new TickPublisher({ nc, logger: createLogger({ service: "bench", level: "silent" }) });
      for (let i = 0; i < total; i++) {
        publisher.publish(nextTick(i));
        if ((i + 1) % CHUNK === 0) await publisher.flush();
      }
      await publisher.flush();
      publisher.close();
    },
    total,
  );

const baselineCount = Math.min(total, 20_000);
const sequential = () =>
  measure(
    "baseline (await each ack)",
    async () => {
      for (let i = 0; i < baselineCount; i++) {
        const tick = nextTick(i);
        await js.publish(priceSubject(tick.symbol), JSON.stringify(tick), { msgID: tickMsgId(tick) });
      }
    },
    baselineCount,
  );

const rows: Record<string, Awaited<ReturnType<typeof measure>>[]> = {};
for (let run = 0; run < runs; run++) {
  for (const result of [await pipelined(), await sequential()]) {
    rows[result.name] ??= [];
    rows[result.name]!.push(result);
  }
}
console.log(`${total} ticks per run through TickPublisher (baseline: ${baselineCount}), 50 symbols, ${runs} runs, medians; every tick checked into PRICES`);
console.log("| publisher | acked ticks/s | publisher CPU µs/tick | nats-server CPU µs/tick |");
console.log("| --- | --- | --- | --- |");
for (const [name, results] of Object.entries(rows)) {
  console.log(
    `| ${name} | ${median(results.map((r) => r.perSecond)).toFixed(0)} | ${median(results.map((r) => r.cpuUsPerTick)).toFixed(2)} | ${median(results.map((r) => r.serverCpuUsPerTick)).toFixed(2)} |`,
  );
}
const ratio = median(rows[Object.keys(rows)[0]!]!.map((r) => r.perSecond)) / median(rows[Object.keys(rows)[1]!]!.map((r) => r.perSecond));
console.log(`ratio of acked ticks per second, pipelined / baseline: ${ratio.toFixed(1)}x`);
await nc.close();
await nats.cleanup();
