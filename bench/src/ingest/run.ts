// Ingest benchmark: acknowledged ticks per second one process publishes to JetStream through
// ingest's TickPublisher (many publishes in flight), beside a baseline that awaits each ack
// before the next publish, each against nats-server's default file store (written to disk at
// once, fsynced every 2 minutes), one fsynced every second and one with `sync_interval: always` (fsynced before
// each acknowledgement), and any other intervals given. Upstream is an in-process generator.
//   pnpm --dir bench ingest [--ticks 200000] [--runs 3] [--sync default,1s,always]
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { PRICES_STREAM, createLogger, ensurePricesStream, priceSubject, tickMsgId, type Tick } from "@cryptostream/core";
import { TickPublisher } from "@cryptostream/ingest";
import { cpuTimeMs, startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { median } from "../lib/process";

const { values } = parseArgs({
  options: { ticks: { type: "string", default: "200000" }, runs: { type: "string", default: "3" }, sync: { type: "string", default: "default,1s,always" } },
});
const total = Number(values.ticks);
const runs = Number(values.runs);
const CHUNK = 20_000;

/** nats-server's `sync_interval` settings measured side by side; "default" is its own (2 minutes). */
const SYNC_SETTINGS = values.sync.split(",");
type SyncSetting = string;
const servers = new Map<SyncSetting, { nats: NatsServerHandle; nc: NatsConnection; jsm: JetStreamManager }>();
for (const sync of SYNC_SETTINGS) {
  const nats = await startNatsServer(sync === "default" ? {} : { jetstreamConfig: `sync_interval: ${JSON.stringify(sync)}` });
  const nc = await connect({ servers: nats.url });
  await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 10_000_000, duplicateWindowMs: 120_000 });
  servers.set(sync, { nats, nc, jsm: await jetstreamManager(nc) });
}
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

interface Row {
  name: string;
  perSecond: number;
  cpuUsPerTick: number;
  serverCpuUsPerTick: number;
}

async function measure(sync: SyncSetting, name: string, body: (nc: NatsConnection) => Promise<void>, count: number): Promise<Row> {
  const { nats, nc, jsm } = servers.get(sync)!;
  await jsm.streams.purge(PRICES_STREAM);
  const cpu0 = process.cpuUsage();
  const server0 = cpuTimeMs(nats.pid!);
  const started = performance.now();
  await body(nc);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stored = (await jsm.streams.info(PRICES_STREAM)).state.messages;
  if (stored !== count) throw new Error(`${name}: ${stored} ticks stored, expected ${count}`);
  return {
    name: `${name}, sync ${sync}`,
    perSecond: count / seconds,
    cpuUsPerTick: (cpu.user + cpu.system) / count,
    serverCpuUsPerTick: ((cpuTimeMs(nats.pid!) - server0) * 1000) / count,
  };
}

const PIPELINED = "ingest TickPublisher (pipelined acks)";
const pipelined = (sync: SyncSetting) =>
  measure(
    sync,
    PIPELINED,
    async (nc) => {
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

const BASELINE = "baseline (await each ack)";
const baselineCount = Math.min(total, 20_000);
const sequential = (sync: SyncSetting) =>
  measure(
    sync,
    BASELINE,
    async (nc) => {
      const js = jetstream(nc);
      for (let i = 0; i < baselineCount; i++) {
        const tick = nextTick(i);
        await js.publish(priceSubject(tick.symbol), JSON.stringify(tick), { msgID: tickMsgId(tick) });
      }
    },
    baselineCount,
  );

const rows = new Map<string, Row[]>();
for (let run = 0; run < runs; run++) {
  for (const sync of SYNC_SETTINGS) {
    for (const result of [await pipelined(sync), await sequential(sync)]) rows.set(result.name, [...(rows.get(result.name) ?? []), result]);
  }
}
const medianRate = (name: string) => median(rows.get(name)!.map((r) => r.perSecond));
console.log(`${total} ticks per run through TickPublisher (baseline: ${baselineCount}), 50 symbols, ${runs} runs, medians; every tick checked into PRICES`);
console.log("| publisher | acked ticks/s | publisher CPU µs/tick | nats-server CPU µs/tick |");
console.log("| --- | --- | --- | --- |");
for (const [name, results] of rows) {
  console.log(
    `| ${name} | ${medianRate(name).toFixed(0)} | ${median(results.map((r) => r.cpuUsPerTick)).toFixed(2)} | ${median(results.map((r) => r.serverCpuUsPerTick)).toFixed(2)} |`,
  );
}
for (const sync of SYNC_SETTINGS) {
  console.log(
    `ratio of acked ticks per second, pipelined / baseline, sync ${sync}: ${(medianRate(`${PIPELINED}, sync ${sync}`) / medianRate(`${BASELINE}, sync ${sync}`)).toFixed(1)}x`,
  );
}
for (const name of [PIPELINED, BASELINE]) {
  for (const sync of SYNC_SETTINGS.slice(1)) {
    const ratio = medianRate(`${name}, sync ${SYNC_SETTINGS[0]}`) / medianRate(`${name}, sync ${sync}`);
    console.log(`ratio of acked ticks per second, ${name}, sync ${SYNC_SETTINGS[0]} / ${sync}: ${ratio.toFixed(1)}x`);
  }
}
for (const { nc, nats } of servers.values()) {
  await nc.close();
  await nats.cleanup();
}
