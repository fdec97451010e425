import { setTimeout as sleep } from "node:timers/promises";
import { seededRandom } from "@cryptostream/sim-exchange";
import { waitFor } from "@cryptostream/testing";
import { DEFAULT_LOAD_OPTIONS, formatChecks, startProcessStack, type LoadOptions, type StackChecks } from "./process-stack";
import { PRICES_STREAM, WRITER_LEASE_MS, type NatsConnection } from "@cryptostream/core";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Fault as Signal, Restartable } from "./service-process";

export interface ChaosOptions extends LoadOptions {
  /** How long faults are injected. */
  seconds: number;
  /** Names of the processes to kill (nats-server, ingest-1, ingest-2, broadcaster-1, broadcaster-2, history-1, history-2); all when empty. */
  targets: string[];
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = { ...DEFAULT_LOAD_OPTIONS, seconds: 120, targets: [] };

export interface Fault {
  target: string;
  signal: Signal;
  /** From the signal to the process being started again (or, for SIGSTOP, resumed with SIGCONT). */
  downMs: number;
  /** From the signal to the process serving again. */
  backMs: number;
  /** After a fault of nats-server: from its start to the first reference price formed after it (undefined: none within the limit). */
  pricesAgainMs?: number | undefined;
}

/** nats-server's outages, taken in turn: a restart in a blink, one that outlasts a reconnect, and longer ones. */
export const NATS_OUTAGES_MS = [100, 1_000, 5_000, 15_000];
/** How long after nats-server is back the reference price must flow again. */
const PRICES_AGAIN_WITHIN_MS = 30_000;

export interface ChaosReport {
  options: Omit<ChaosOptions, "log">;
  faults: Fault[];
  checks: StackChecks;
  /** Where the service logs were kept, when the run failed. */
  logDir: string;
  ok: boolean;
}

const between = (random: () => number, min: number, max: number) => min + random() * (max - min);

/**
 * Kills one process of the stack at a time, with SIGKILL or SIGTERM, and starts it
 * again, or pauses it (history instances, with SIGSTOP past the writer lease, then SIGCONT),
 * at random for `seconds` while the load runs; then checks every promise.
 * Both ingest replicas are connected upstream again before the next fault, so
 * one of them always is: an event no ingest received is not an event to keep.
 */
export async function runChaos(overrides: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const options = { ...DEFAULT_CHAOS_OPTIONS, ...overrides };
  const { log } = options;
  const random = seededRandom(options.seed + 1);
  const stack = await startProcessStack(options);
  let ok = false;
  try {
    const targets = [stack.nats, ...stack.services].filter((t) => options.targets.length === 0 || options.targets.includes(t.name));
    if (targets.length === 0) throw new Error(`no process is called ${options.targets.join(" or ")}`);
    log(`injecting faults for ${options.seconds} s`);
    const faults: Fault[] = [];
    const until = Date.now() + options.seconds * 1_000;
    // Shuffled rounds in which every target is hit once, so that even a short run hits each of them.
    let round: Restartable[] = [];
    let natsOutages = 0;
    // Every target once at least, however long nats-server's outages took.
    while (Date.now() < until || faults.length < targets.length) {
      if (round.length === 0) round = [...targets].sort(() => random() - 0.5);
      const target = round.pop()!;
      const signals: Signal[] = target.pausable ? ["SIGKILL", "SIGTERM", "SIGSTOP"] : ["SIGKILL", "SIGTERM"];
      const signal = signals[Math.floor(random() * signals.length)]!;
      const at = Date.now();
      const outageMs = target === stack.nats ? NATS_OUTAGES_MS[natsOutages++ % NATS_OUTAGES_MS.length] : undefined;
      const downMs = await injectFault(target, signal, random, outageMs);
      const fault: Fault = { target: target.name, signal, downMs, backMs: Date.now() - at };
      if (target === stack.nats) fault.pricesAgainMs = await pricesAgain(stack.nc);
      faults.push(fault);
      const prices = target === stack.nats ? `, prices again after ${fault.pricesAgainMs ?? "never (FAIL)"} ms` : "";
      log(
        `${String(faults.length).padStart(3)}  ${fault.signal} ${fault.target.padEnd(14)} down ${fault.downMs} ms, serving again after ${fault.backMs} ms${prices}`,
      );
      await waitFor("both ingest replicas to be connected upstream", () => stack.sim.binanceClientCount() === stack.ingests.length, 30_000);
      await sleep(between(random, 500, 2_500));
    }
    const checks = await stack.settleAndCheck();
    ok = checks.ok && faults.every((fault) => fault.target !== "nats-server" || fault.pricesAgainMs !== undefined);
    const { log: _, ...shown } = options;
    return { options: shown, faults, checks, logDir: stack.logDir, ok };
  } finally {
    await stack.close(!ok);
  }
}

/** Kills or pauses `target`, then brings it back; resolves with how long it was down, once it serves again. */
async function injectFault(target: Restartable, signal: Signal, random: () => number, outageMs?: number): Promise<number> {
  const at = Date.now();
  if (signal === "SIGSTOP") {
    target.pausable!.pause();
    // Past the writer lease, so a paused writer is taken over and must find out when it runs again.
    await sleep(between(random, WRITER_LEASE_MS + 500, WRITER_LEASE_MS + 3_000));
    target.pausable!.resume();
    const downMs = Date.now() - at;
    await waitFor(`${target.name} to serve after SIGCONT`, () => target.pausable!.healthy(), 30_000);
    return downMs;
  }
  await target.kill(signal);
  await sleep(outageMs ?? between(random, 200, 2_500));
  const downMs = Date.now() - at;
  await target.start();
  return downMs;
}

/** How long until `PRICES` holds a reference price it did not hold when asked first (undefined: not within the limit). */
async function pricesAgain(nc: NatsConnection): Promise<number | undefined> {
  const at = Date.now();
  const lastSeq = async () => (await (await jetstreamManager(nc)).streams.info(PRICES_STREAM)).state.last_seq;
  const before = await waitFor("PRICES to answer", () => lastSeq().catch(() => undefined), PRICES_AGAIN_WITHIN_MS).catch(() => undefined);
  if (before === undefined) return undefined;
  const grown = await waitFor("PRICES to grow", async () => (await lastSeq()) > before, PRICES_AGAIN_WITHIN_MS).catch(() => false);
  return grown ? Date.now() - at : undefined;
}

/** The report as Markdown tables, for a terminal and for docs/reliability.md. */
export function formatChaosReport(report: ChaosReport): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const { options, faults } = report;
  const count = (of: Fault[], signal: Signal) => of.filter((f) => f.signal === signal).length;
  const targets = [...new Set(faults.map((f) => f.target))].sort();
  return [
    `Chaos: ${options.seconds} s of faults, seed ${options.seed}, ${options.symbols.length} symbols at ${n(Math.round((options.symbols.length * 1_000) / options.eventIntervalMs))} events/s, ${options.clients} clients`,
    "",
    "| process | SIGKILL | SIGTERM | SIGSTOP | median down | median serving again |",
    "|---|---:|---:|---:|---:|---:|",
    ...targets.map((target) => {
      const of = faults.filter((f) => f.target === target);
      return `| ${target} | ${count(of, "SIGKILL")} | ${count(of, "SIGTERM")} | ${count(of, "SIGSTOP")} | ${n(median(of.map((f) => f.downMs)))} ms | ${n(median(of.map((f) => f.backMs)))} ms |`;
    }),
    `| all | ${count(faults, "SIGKILL")} | ${count(faults, "SIGTERM")} | ${count(faults, "SIGSTOP")} | | |`,
    "",
    ...natsOutageLines(faults),
    ...formatChecks(report.checks),
    "",
    report.ok ? "PASS: nothing lost, nothing doubled" : `FAIL (service logs kept in ${report.logDir})`,
  ].join("\n");
}

function natsOutageLines(faults: readonly Fault[]): string[] {
  const outages = faults.filter((fault) => fault.target === "nats-server");
  if (outages.length === 0) return [];
  const each = outages.map(
    (fault) => `${fault.downMs} ms down: ${fault.pricesAgainMs === undefined ? "no price after it (FAIL)" : `prices again ${fault.pricesAgainMs} ms after`}`,
  );
  return [`nats-server outages: ${each.join("; ")}`, ""];
}
