// Publish-to-reference latency: venue ticks published to TICKS at a steady rate (their own
// process), the reference follower (its own process, as in ingest) forming each reference tick and
// publishing it to PRICES, and this process timing both arrivals. Beside it, in the same run, two
// floors: the venue tick's own arrival on ticks.> (one JetStream publish), and a relay that only
// republishes each venue tick to PRICES through the same consumer and publisher (the two
// JetStream hops any reference price computed from a stream must take). Rounds alternate relay
// and reference, on emptied streams. Times are epoch clocks of one machine.
// Rounds of a fresh publisher each; the figures to quote are the medians of the rounds.
//   pnpm --dir bench reference [venue ticks per second, default 2000] [seconds per round, default 10] [rounds, default 5]
import { PRICES_STREAM, TICKS_STREAM, ensurePricesStream, type Tick } from "@cryptostream/core";
import { cpuTimeMs, startNatsServer } from "@cryptostream/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startTsProcess, stopProcess } from "../lib/process";

const RATE = Number(process.argv[2] ?? 2_000);
const SECONDS = Number(process.argv[3] ?? 10);
const ROUNDS = Number(process.argv[4] ?? 5);
const WARMUP_SECONDS = 3;

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
const settings = { maxAgeMs: 3_600_000, maxPerSubject: 1_000_000, duplicateWindowMs: 120_000 };
await ensurePricesStream(nc, settings);
await ensurePricesStream(nc, settings, { stream: TICKS_STREAM });
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const jsm = await jetstreamManager(nc);

const now = () => performance.timeOrigin + performance.now();
const floorAt = new Map<string, number>();
const referenceAt = new Map<string, number>();
const keyOf = (tick: Pick<Tick, "symbol" | "ts">) => `${tick.symbol}:${tick.ts}`;
nc.subscribe("ticks.>", { callback: (_, message) => void floorAt.set(keyOf(message.json<Tick>()), now()) });
nc.subscribe("prices.>", { callback: (_, message) => void referenceAt.set(keyOf(message.json<Tick>()), now()) });
await nc.flush();

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
const median = (values: number[]) => quantile(values, 0.5);

/** One round: a publisher process for the warm-up and `SECONDS`, each tick's two delays, the follower's CPU. */
async function round(mode: "relay" | "reference") {
  floorAt.clear();
  referenceAt.clear();
  await jsm.streams.purge(TICKS_STREAM);
  await jsm.streams.purge(PRICES_STREAM);
  const { child: follower } = await startTsProcess(here("./follower.ts"), [nats.url, mode]);
  const { child: publisher } = await startTsProcess(here("./publisher.ts"), [nats.url, String(RATE), String(WARMUP_SECONDS + SECONDS)]);
  const startedAt = now();
  const done = new Promise<[string, number][]>((resolve) =>
    createInterface({ input: publisher.stdout! }).on("line", (line) => {
      const value = JSON.parse(line) as { sentAt?: [string, number][] };
      if (value.sentAt) resolve(value.sentAt);
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1_000));
  const cpuBefore = cpuTimeMs(follower.pid!);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const cpuMs = cpuTimeMs(follower.pid!) - cpuBefore;
  const sentAt = await done;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const measured = sentAt.filter(([, at]) => at >= startedAt + WARMUP_SECONDS * 1_000);
  const delays = (arrivals: Map<string, number>) => measured.flatMap(([key, at]) => (arrivals.has(key) ? [arrivals.get(key)! - at] : []));
  await stopProcess(follower);
  return { ticks: measured.length, floor: delays(floorAt), reference: delays(referenceAt), cpuMsPer1000: (cpuMs / measured.length) * 1_000 };
}

const cells = (values: number[]) => [0.5, 0.99, 0.999].map((q) => quantile(values, q).toFixed(2)).join(" | ");
console.log(`${RATE} venue ticks/s for ${SECONDS} s per round, ${ROUNDS} rounds, 3 venues x 20 symbols`);
console.log(
  "| round | path to PRICES | ticks | one hop p50 | one hop p99 | one hop p99.9 | to PRICES p50 | to PRICES p99 | to PRICES p99.9 | its CPU per 1,000 ticks |",
);
console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
const rounds: Record<"relay" | "reference", Awaited<ReturnType<typeof round>>[]> = { relay: [], reference: [] };
for (let i = 1; i <= ROUNDS; i++) {
  for (const mode of ["relay", "reference"] as const) {
    const result = await round(mode);
    rounds[mode].push(result);
    console.log(`| ${i} | ${mode} | ${result.ticks} | ${cells(result.floor)} | ${cells(result.reference)} | ${result.cpuMsPer1000.toFixed(1)} ms |`);
  }
}
const medianOf = (mode: "relay" | "reference", pick: (r: Awaited<ReturnType<typeof round>>) => number) => median(rounds[mode].map(pick));
const p99 = medianOf("reference", (r) => quantile(r.reference, 0.99));
for (const mode of ["relay", "reference"] as const) {
  console.log(
    `median of rounds, ${mode}: one hop p99 ${medianOf(mode, (r) => quantile(r.floor, 0.99)).toFixed(2)} ms; to PRICES p50 ${medianOf(mode, (r) => quantile(r.reference, 0.5)).toFixed(2)} ms, p99 ${medianOf(mode, (r) => quantile(r.reference, 0.99)).toFixed(2)} ms; ${medianOf(mode, (r) => r.cpuMsPer1000).toFixed(1)} ms CPU per 1,000 venue ticks`,
  );
}
console.log(`p99 goal of 5 ms: ${p99 <= 5 ? "met" : "NOT met"} (median of ${ROUNDS} rounds: ${p99.toFixed(2)} ms)`);

await nc.close();
await nats.cleanup();
process.exit(0);
