// Consumer filters: how fast nats-server delivers a window of PRICES from the middle of the
// stream with no filter (the reader keeps its symbols itself), with one filter subject, and
// with several (`filter_subjects`, 2.10), on the nats-server installed and on another binary
// given with --compare (for example Debian bookworm's 2.9.10), side by side in one invocation.
//   pnpm --dir bench filters [--ticks 200000] [--runs 5] [--compare /path/to/nats-server]
import { parseArgs } from "node:util";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerConfig } from "@nats-io/jetstream";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import {
  DEFAULT_ASSETS,
  PRICES_STREAM,
  ensurePricesStream,
  priceSubject,
  symbolFromSubject,
  tickMsgId,
  unsupportedServerReason,
  type Tick,
} from "@cryptostream/core";
import { cpuTimeMs, startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { median } from "../lib/process";

const { values } = parseArgs({
  options: {
    ticks: { type: "string", default: "200000" },
    runs: { type: "string", default: "5" },
    compare: { type: "string" },
  },
});
const tickCount = Number(values.ticks);
const runs = Number(values.runs);
const SYMBOLS = DEFAULT_ASSETS.map((asset) => asset.symbol);
const WANTED = SYMBOLS.slice(0, 3);

/** A read's consumer filter and the symbols the reader keeps of what it is sent. */
interface ReadShape {
  name: string;
  filter: Partial<ConsumerConfig>;
  keep: ReadonlySet<string> | undefined;
  /** Needs nats-server 2.10 (`filter_subjects`). */
  needs210?: boolean;
}
const SHAPES: ReadShape[] = [
  { name: `${WANTED.length} symbols, no filter, kept by the reader`, filter: {}, keep: new Set(WANTED) },
  { name: `${WANTED.length} symbols, filter_subjects`, filter: { filter_subjects: WANTED.map(priceSubject) }, keep: undefined, needs210: true },
  { name: "1 symbol, filter_subject", filter: { filter_subject: priceSubject(WANTED[0]!) }, keep: undefined },
  { name: "every symbol, no filter", filter: {}, keep: undefined },
  { name: "every symbol, filter_subject prices.>", filter: { filter_subject: "prices.>" }, keep: undefined },
];

async function fill(nc: NatsConnection): Promise<void> {
  await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 1_000_000, duplicateWindowMs: 120_000 });
  const js = jetstream(nc);
  const batch: Promise<unknown>[] = [];
  const startTs = Date.now() - 3_600_000;
  for (let i = 0; i < tickCount; i++) {
    const tick: Tick = { symbol: SYMBOLS[i % SYMBOLS.length]!, price: 100 + (i % 1000) / 10, ts: startTs + i, source: "bench", change24h: 1, volume24h: 1e9 };
    batch.push(js.publish(priceSubject(tick.symbol), JSON.stringify(tick), { msgID: tickMsgId(tick) }));
    if (batch.length === 2_000) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

/** Reads the second half of the stream through a push consumer with flow control, as history's window reads do. */
async function read(nc: NatsConnection, shape: ReadShape): Promise<{ kept: number; ms: number }> {
  const jsm = await jetstreamManager(nc);
  const inbox = createInbox();
  let kept = 0;
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    const subscription = nc.subscribe(inbox, {
      callback: (_error, msg) => {
        if (msg.subject === inbox) {
          if (msg.reply) nc.publish(msg.reply);
          return;
        }
        const symbol = symbolFromSubject(msg.subject);
        if (!shape.keep || (symbol !== undefined && shape.keep.has(symbol))) kept++;
        if (msg.reply?.endsWith(".0")) {
          subscription.unsubscribe();
          resolve();
        }
      },
    });
  });
  const info = await jsm.consumers.add(PRICES_STREAM, {
    deliver_subject: inbox,
    ack_policy: AckPolicy.None,
    flow_control: true,
    idle_heartbeat: 2_000_000_000,
    mem_storage: true,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.floor(tickCount / 2),
    ...shape.filter,
  });
  await done;
  const ms = performance.now() - started;
  await jsm.consumers.delete(PRICES_STREAM, info.name);
  return { kept, ms };
}

async function measure(label: string, binary: string | undefined): Promise<string[]> {
  const server: NatsServerHandle = await startNatsServer(binary ? { binary } : {});
  const nc = await connect({ servers: server.url });
  const version = nc.info?.version ?? "?";
  await fill(nc);
  const rows: string[] = [];
  for (const shape of SHAPES) {
    if (shape.needs210 && unsupportedServerReason(version)) {
      rows.push(`| ${label} ${version} | ${shape.name} | not supported | | | |`);
      continue;
    }
    await read(nc, shape); // warm-up: page cache, JIT
    const times: number[] = [];
    const natsUs: number[] = [];
    let kept = 0;
    for (let run = 0; run < runs; run++) {
      const cpuBefore = cpuTimeMs(server.pid!);
      const result = await read(nc, shape);
      kept = result.kept;
      times.push(result.ms);
      natsUs.push(((cpuTimeMs(server.pid!) - cpuBefore) * 1000) / result.kept);
    }
    const ms = median(times);
    rows.push(`| ${label} ${version} | ${shape.name} | ${kept} | ${ms.toFixed(1)} | ${((kept / ms) * 1000).toFixed(0)} | ${median(natsUs).toFixed(2)} |`);
  }
  await nc.close();
  await server.cleanup();
  return rows;
}

console.log(
  `${tickCount} ticks of ${SYMBOLS.length} symbols in PRICES, read from sequence ${Math.floor(tickCount / 2)} to the end, ${runs} reads of each after one warm-up, medians`,
);
console.log("| nats-server | read | ticks kept | ms | ticks kept/s | nats-server CPU µs/tick kept |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of await measure("installed", undefined)) console.log(row);
if (values.compare) for (const row of await measure("compare", values.compare)) console.log(row);
