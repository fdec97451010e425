import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  DEFAULT_ASSETS,
  HISTORY_DEPTH,
  PRICES_STREAM,
  PRICE_HISTORY_BUCKET,
  visitTickWindow,
  type HistoryResponse,
  type SequencedTick,
} from "@cryptostream/core";
import { seededRandom, startSimExchange, toBinanceMiniTicker } from "@cryptostream/sim-exchange";
import { freePort, startNatsServer, waitFor } from "@cryptostream/testing";
import { checkClient, checkHistory, checkStream, type ClientCheck, type HistoryCheck, type StreamCheck, type UpstreamEvent } from "./checks";
import { SeqCheckingClient } from "./seq-client";
import { ServiceProcess, type Restartable, type Signal } from "./service-process";

export interface ChaosOptions {
  /** How long faults are injected. */
  seconds: number;
  /** WebSocket clients recording every seq. */
  clients: number;
  /** One upstream event per symbol every `eventIntervalMs`. */
  symbols: string[];
  eventIntervalMs: number;
  seed: number;
  /** Names of the processes to kill (nats-server, ingest-1, ingest-2, broadcaster-1, broadcaster-2, history); all when empty. */
  targets: string[];
  /** Progress lines. */
  log: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: ChaosOptions = {
  seconds: 120,
  clients: 200,
  symbols: DEFAULT_ASSETS.map((asset) => asset.symbol),
  eventIntervalMs: 100,
  seed: 20261122,
  targets: [],
  log: () => undefined,
};

export interface Fault {
  target: string;
  signal: Signal;
  /** From the signal to the process being started again. */
  downMs: number;
  /** From the signal to the process serving again. */
  backMs: number;
}

export interface ChaosReport {
  options: Omit<ChaosOptions, "log">;
  faults: Fault[];
  stream: StreamCheck;
  clients: ClientCheck & { count: number; connections: number; resets: number; conflated: number; errors: number };
  bucket: HistoryCheck;
  api: HistoryCheck;
  /** Processes that exited unasked, or ignored SIGTERM for 12 s. */
  crashes: string[];
  logDir: string;
  ok: boolean;
}

const pickFrom = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: () => number, min: number, max: number) => min + random() * (max - min);

/**
 * Runs nats-server, two ingest replicas, two broadcasters and history as real
 * processes against the simulated exchange, with clients that record every seq;
 * kills and restarts one of them at a time, at random, for `seconds`; lets the
 * system settle; then checks the stream, every client and the history bucket.
 */
export async function runChaos(overrides: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const options = { ...DEFAULT_CHAOS_OPTIONS, ...overrides };
  const { log } = options;
  const random = seededRandom(options.seed);
  const logDir = await mkdtemp(join(tmpdir(), "cryptostream-chaos-"));
  const nats = await startNatsServer();
  const events: UpstreamEvent[] = [];
  const sim = await startSimExchange({
    symbols: options.symbols,
    intervalMs: options.eventIntervalMs,
    seed: options.seed,
    onMiniTicker: (coin, recipients) => {
      if (recipients > 0) events.push({ symbol: coin.asset.symbol, ts: coin.updatedAt, price: Number(toBinanceMiniTicker(coin).data.c) });
    },
  });
  const base = { NATS_URL: nats.url, SYMBOLS: options.symbols.join(",") };
  const logFile = (name: string) => join(logDir, `${name}.log`);

  const ingestReplica = async (name: string) => {
    const port = await freePort();
    const service: ServiceProcess = new ServiceProcess(name, "ingest", port, { ...base, INGEST_PORT: String(port), SOURCES: "binance", BINANCE_WS_URL: sim.binanceWsUrl }, logFile(name), async () => {
      const health = await service.health<{ sources: { binance: { connected: boolean }[] } }>();
      return health?.sources.binance.every((feed) => feed.connected) ?? false;
    });
    return service;
  };
  const broadcaster = async (name: string) => {
    const port = await freePort();
    return new ServiceProcess(name, "broadcaster", port, { ...base, BROADCASTER_PORT: String(port), BROADCASTER_ID: name, SIMULATED: "true", MAX_CONNECTIONS_PER_IP: "100000" }, logFile(name));
  };
  const historyPort = await freePort();
  const history = new ServiceProcess("history", "history", historyPort, { ...base, HISTORY_PORT: String(historyPort) }, logFile("history"));
  const ingests = [await ingestReplica("ingest-1"), await ingestReplica("ingest-2")];
  const broadcasters = [await broadcaster("broadcaster-1"), await broadcaster("broadcaster-2")];
  const services = [...ingests, ...broadcasters, history];
  const natsTarget: Restartable = {
    name: "nats-server",
    kill: (signal) => nats.stop({ hard: signal === "SIGKILL" }),
    start: () => nats.restart(),
  };

  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const clients: SeqCheckingClient[] = [];
  const faults: Fault[] = [];
  try {
    log(`starting nats-server, 2 ingest, 2 broadcaster and history processes (logs in ${logDir})`);
    await Promise.all(ingests.map((service) => service.start()));
    const jsm = await jetstreamManager(nc);
    await waitFor("a tick of every symbol in PRICES", async () => {
      const info = await jsm.streams.info(PRICES_STREAM, { subjects_filter: ">" });
      return Object.keys(info.state.subjects ?? {}).length === options.symbols.length;
    }, 30_000);
    await Promise.all([...broadcasters, history].map((service) => service.start()));

    const urls = broadcasters.map((b) => `ws://127.0.0.1:${b.port}/ws`);
    for (let i = 0; i < options.clients; i++) {
      const symbols = i % 4 === 0 ? undefined : [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => pickFrom(random, options.symbols)))];
      const client = new SeqCheckingClient(i % 2 ? [...urls].reverse() : urls, symbols, random);
      clients.push(client);
      client.start();
    }
    await waitFor("every client to get its snapshot", () => clients.every((client) => client.snapshotSeq !== undefined), 30_000);
    log(`${options.clients} clients connected; injecting faults for ${options.seconds} s`);

    const targets = [natsTarget, ...services].filter((t) => options.targets.length === 0 || options.targets.includes(t.name));
    if (targets.length === 0) throw new Error(`no process is called ${options.targets.join(" or ")}`);
    const until = Date.now() + options.seconds * 1_000;
    // Shuffled rounds in which every target is hit once, so even a short run hits each of them.
    let round: Restartable[] = [];
    while (Date.now() < until) {
      if (round.length === 0) round = [...targets].sort(() => random() - 0.5);
      const target = round.pop()!;
      const signal: Signal = random() < 0.5 ? "SIGKILL" : "SIGTERM";
      const at = Date.now();
      await target.kill(signal);
      await sleep(between(random, 200, 2_500));
      const downMs = Date.now() - at;
      await target.start();
      const fault = { target: target.name, signal, downMs, backMs: Date.now() - at };
      faults.push(fault);
      log(`${String(faults.length).padStart(3)}  ${fault.signal} ${fault.target.padEnd(14)} down ${fault.downMs} ms, serving again after ${fault.backMs} ms`);
      // Both ingest replicas connected again before anything else is killed: one of them is always there.
      await waitFor("both ingest replicas to be connected upstream", () => sim.binanceClientCount() === ingests.length, 30_000);
      await sleep(between(random, 500, 2_500));
    }

    log("settling: upstream silent, waiting for the stream, the clients and history to catch up");
    sim.setBinanceSilent(true);
    let lastSeq = -1;
    let stableSince = Date.now();
    await waitFor("the stream to stop growing", async () => {
      const seq = (await jsm.streams.info(PRICES_STREAM)).state.last_seq;
      if (seq !== lastSeq) [lastSeq, stableSince] = [seq, Date.now()];
      return Date.now() - stableSince > 5_000;
    }, 60_000);
    const ticks: SequencedTick[] = [];
    await visitTickWindow(nc, { fromSeq: 1, limit: Number.MAX_SAFE_INTEGER }, { onTick: (tick) => void ticks.push(tick) });
    const lastOf = (symbols: readonly string[] | undefined) => {
      for (let i = ticks.length - 1; i >= 0; i--) if (!symbols || symbols.includes(ticks[i]!.symbol)) return ticks[i]!.seq;
      return 0;
    };
    await waitFor("every client to see the last tick of its symbols", () => clients.every((c) => c.lastSeq >= lastOf(c.symbols)), 30_000).catch(() => undefined);
    await waitFor("history to write every tick", async () => {
      const health = await history.health<{ consumer?: { pending: number; ackPending: number } }>();
      return health?.consumer?.pending === 0 && health.consumer.ackPending === 0;
    }, 60_000).catch(() => undefined);

    const bucket = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
    const kept = new Map<string, SequencedTick[]>();
    const served = new Map<string, SequencedTick[]>();
    for (const symbol of options.symbols) {
      const values: SequencedTick[] = [];
      for await (const entry of await bucket.history({ key: symbol })) if (entry.operation === "PUT") values.push(entry.json<SequencedTick>());
      kept.set(symbol, values);
      const response = await fetch(`http://127.0.0.1:${history.port}/api/history/${symbol}`);
      served.set(symbol, response.ok ? ((await response.json()) as HistoryResponse).ticks : []);
    }

    const perClient = clients.map((client) => checkClient(client, ticks));
    perClient.forEach((check, i) => {
      if (check.missing + check.duplicated + check.unknown === 0) return;
      const c = clients[i]!;
      log(`client ${i} [${c.symbols?.join(",") ?? "all"}]: ${check.missing} of ${check.expected} missing (first ${check.firstMissing}), ${check.duplicated} duplicated, ${check.unknown} unknown; ${c.connections} connections, last seq ${c.lastSeq} of ${lastOf(c.symbols)}, snapshot ${c.snapshotSeq}`);
    });
    const sum = (pick: (check: ClientCheck) => number) => perClient.reduce((total, check) => total + pick(check), 0);
    const crashes = services.flatMap((s) => [
      ...(s.unexpectedExits ? [`${s.name} exited unasked ${s.unexpectedExits} times`] : []),
      ...(s.lateExits ? [`${s.name} ignored SIGTERM for 12 s ${s.lateExits} times`] : []),
    ]);
    const report: ChaosReport = {
      options: { seconds: options.seconds, clients: options.clients, symbols: options.symbols, eventIntervalMs: options.eventIntervalMs, seed: options.seed, targets: options.targets },
      faults,
      stream: checkStream(events, ticks),
      clients: {
        count: clients.length,
        expected: sum((c) => c.expected),
        missing: sum((c) => c.missing),
        duplicated: sum((c) => c.duplicated),
        unknown: sum((c) => c.unknown),
        connections: clients.reduce((total, c) => total + c.connections, 0),
        resets: clients.reduce((total, c) => total + c.resets, 0),
        conflated: clients.reduce((total, c) => total + c.conflated, 0),
        errors: clients.reduce((total, c) => total + c.errors.length, 0),
      },
      bucket: checkHistory(kept, ticks, HISTORY_DEPTH),
      api: checkHistory(served, ticks, HISTORY_DEPTH),
      crashes,
      logDir,
      ok: false,
    };
    report.ok =
      report.stream.events > 0 &&
      report.stream.missing + report.stream.duplicated + report.stream.unknown === 0 &&
      report.clients.expected > 0 &&
      report.clients.missing + report.clients.duplicated + report.clients.unknown + report.clients.resets + report.clients.conflated + report.clients.errors === 0 &&
      report.bucket.mismatched.length === 0 &&
      report.api.mismatched.length === 0 &&
      crashes.length === 0;
    if (report.ok) await rm(logDir, { recursive: true, force: true });
    return report;
  } finally {
    clients.forEach((client) => client.stop());
    await Promise.allSettled(services.map((service) => service.kill("SIGTERM")));
    services.forEach((service) => service.close());
    await nc.close();
    await sim.close();
    await nats.cleanup();
  }
}

/** The report as a table for a terminal. */
export function formatChaosReport(report: ChaosReport): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
  };
  const targets = [...new Set(report.faults.map((f) => f.target))].sort();
  const lines = [
    `Chaos run: ${report.options.seconds} s of faults, seed ${report.options.seed}, ${report.options.symbols.length} symbols at ${n(Math.round((report.options.symbols.length * 1000) / report.options.eventIntervalMs))} events/s, ${report.options.clients} clients`,
    "",
    "| process | SIGKILL | SIGTERM | median down | median back serving |",
    "|---|---:|---:|---:|---:|",
    ...targets.map((target) => {
      const of = report.faults.filter((f) => f.target === target);
      return `| ${target} | ${of.filter((f) => f.signal === "SIGKILL").length} | ${of.filter((f) => f.signal === "SIGTERM").length} | ${n(median(of.map((f) => f.downMs)))} ms | ${n(median(of.map((f) => f.backMs)))} ms |`;
    }),
    `| all | ${report.faults.filter((f) => f.signal === "SIGKILL").length} | ${report.faults.filter((f) => f.signal === "SIGTERM").length} | | |`,
    "",
    "| check | checked | lost | duplicated | other |",
    "|---|---:|---:|---:|---|",
    `| upstream events in PRICES exactly once | ${n(report.stream.events)} events, ${n(report.stream.ticks)} ticks | ${n(report.stream.missing)} | ${n(report.stream.duplicated)} | ${n(report.stream.unknown)} unknown |`,
    `| every client saw every seq of its symbols | ${n(report.clients.expected)} ticks on ${n(report.clients.count)} clients (${n(report.clients.connections)} connections) | ${n(report.clients.missing)} | ${n(report.clients.duplicated)} | ${n(report.clients.unknown)} unknown, ${n(report.clients.resets)} resets, ${n(report.clients.conflated)} conflated, ${n(report.clients.errors)} errors |`,
    `| price_history = last ${HISTORY_DEPTH} of each symbol | ${report.bucket.symbols} symbols | ${report.bucket.mismatched.length} mismatched | | ${report.bucket.mismatched.join(", ")} |`,
    `| GET /api/history = last ${HISTORY_DEPTH} of each symbol | ${report.api.symbols} symbols | ${report.api.mismatched.length} mismatched | | ${report.api.mismatched.join(", ")} |`,
    `| no crash, SIGTERM honoured | 5 services | | | ${report.crashes.join("; ") || "none"} |`,
    "",
    report.ok ? "PASS: nothing lost, nothing doubled" : `FAIL (service logs kept in ${report.logDir})`,
  ];
  return lines.join("\n");
}
