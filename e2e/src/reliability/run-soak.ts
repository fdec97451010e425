import { openFileDescriptors, rssBytes } from "@cryptostream/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { judgeGrowth, type GrowthVerdict, type ResourceSample } from "./growth";
import { DEFAULT_LOAD_OPTIONS, formatChecks, startProcessStack, type LoadOptions, type StackChecks } from "./process-stack";

/**
 * nats-server caches the block it is writing of each stream, up to 8 MB each, and `PRICES` and
 * `TICKS` now both take every event: a short run sees those caches fill. Growth past that is a leak.
 */
const limitsFor = (name: string) => (name === "nats-server" ? { rssFraction: 0.1, rssBytes: 32 * 1024 * 1024, fds: 4 } : undefined);

export interface SoakOptions extends LoadOptions {
  seconds: number;
  /** Readings are taken this often. */
  sampleEverySeconds: number;
  /** Under load before the first reading, once history's backfill is done: caches fill, consumers settle. */
  warmupSeconds: number;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = { ...DEFAULT_LOAD_OPTIONS, seconds: 600, sampleEverySeconds: 10, warmupSeconds: 30 };

export interface SoakReport {
  options: Omit<SoakOptions, "log">;
  /** Readings of each process, warm-up included. */
  samples: Record<string, ResourceSample[]>;
  verdicts: Record<string, GrowthVerdict>;
  checks: StackChecks;
  logDir: string;
  ok: boolean;
}

/** Resident memory and open file descriptors of a process; undefined once it has gone. */
function readResources(pid: number): { rssBytes: number; fds: number } | undefined {
  try {
    return { rssBytes: rssBytes(pid), fds: openFileDescriptors(pid) };
  } catch {
    return undefined;
  }
}

/**
 * Runs the stack under load for `seconds` and reads the memory and descriptors
 * of every process over time; a process that keeps growing once warm fails the
 * run, as does anything lost or doubled.
 */
export async function runSoak(overrides: Partial<SoakOptions> = {}): Promise<SoakReport> {
  const options = { ...DEFAULT_SOAK_OPTIONS, ...overrides };
  const { log } = options;
  const stack = await startProcessStack(options);
  let ok = false;
  try {
    const processes = [{ name: "nats-server", pid: () => stack.nats.pid }, ...stack.services.map((s) => ({ name: s.name, pid: () => s.pid }))];
    const samples: Record<string, ResourceSample[]> = Object.fromEntries(processes.map((p) => [p.name, []]));
    // The candle backfill is a one-off at start (tens of thousands of candles into CANDLES): not what a soak watches.
    log(`waiting for history's candle backfill to end, then ${options.warmupSeconds} s of warm-up`);
    await stack.backfillDone();
    await sleep(options.warmupSeconds * 1_000);
    const started = Date.now();
    log(`soaking for ${options.seconds} s, a reading every ${options.sampleEverySeconds} s`);
    while (Date.now() - started < options.seconds * 1_000) {
      await sleep(options.sampleEverySeconds * 1_000);
      const atMs = Date.now() - started;
      const readings = processes.map((p) => ({ name: p.name, reading: readResources(p.pid() ?? -1) }));
      for (const { name, reading } of readings) if (reading) samples[name]!.push({ atMs, ...reading });
      log(
        `${String(Math.round(atMs / 1_000)).padStart(5)} s  ${readings.map(({ name, reading }) => `${name} ${reading ? `${mb(reading.rssBytes)} MB/${reading.fds} fds` : "gone"}`).join("  ")}`,
      );
    }
    const verdicts = Object.fromEntries(Object.entries(samples).map(([name, taken]) => [name, judgeGrowth(taken, limitsFor(name))]));
    const checks = await stack.settleAndCheck();
    ok = checks.ok && Object.values(verdicts).every((v) => !v.grows);
    const { log: _, ...shown } = options;
    return { options: shown, samples, verdicts, checks, logDir: stack.logDir, ok };
  } finally {
    await stack.close(!ok);
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The report as Markdown tables. */
export function formatSoakReport(report: SoakReport): string {
  const { options } = report;
  return [
    `Soak: ${options.seconds} s at ${Math.round((options.symbols.length * 1_000) / options.eventIntervalMs)} upstream events/s with ${options.clients} clients; "first half" is the highest reading of the first half of the run, "end" the median of its last quarter`,
    "",
    "| process | RSS first half | RSS end | RSS max | fds first half | fds end | growing |",
    "|---|---:|---:|---:|---:|---:|---|",
    ...Object.entries(report.verdicts).map(
      ([name, v]) =>
        `| ${name} | ${mb(v.rssBaseline)} MB | ${mb(v.rssEnd)} MB | ${mb(v.rssMax)} MB | ${v.fdsBaseline} | ${v.fdsEnd} | ${v.grows ? "YES" : "no"} |`,
    ),
    "",
    ...formatChecks(report.checks),
    "",
    report.ok ? "PASS: no growth once warm, nothing lost" : `FAIL (service logs kept in ${report.logDir})`,
  ].join("\n");
}
