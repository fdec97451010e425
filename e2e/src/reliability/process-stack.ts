import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  CANDLES_STREAM,
  DEFAULT_ASSETS,
  DEFAULT_REFERENCE_SETTINGS,
  HISTORY_DEPTH,
  decodeCandle,
  decodeTick,
  PRICES_STREAM,
  TICKS_STREAM,
  PRICE_HISTORY_BUCKET,
  visitTickWindow,
  type HistoryResponse,
  type NatsConnection,
  type SequencedTick,
} from "@cryptostream/core";
import { seededRandom, startSimExchange, toBinanceMiniTicker, type SimExchange } from "@cryptostream/sim-exchange";
import { checkReferences, freePort, readStream, startNatsServer, waitFor, type NatsServerHandle, type ReferenceCheck } from "@cryptostream/testing";
import {
  checkCandles,
  checkClient,
  checkHistory,
  checkLease,
  checkStream,
  type CandleCheck,
  type LeaseCheck,
  type ClientCheck,
  type HistoryCheck,
  type StreamCheck,
  type UpstreamEvent,
} from "./checks";
import { SeqCheckingClient } from "./seq-client";
import { ServiceProcess, type Restartable } from "./service-process";

export interface LoadOptions {
  /** WebSocket clients recording every seq. */
  clients: number;
  /** One upstream event per symbol every `eventIntervalMs`. */
  symbols: string[];
  eventIntervalMs: number;
  seed: number;
  /** Progress lines. */
  log: (line: string) => void;
}

export const DEFAULT_LOAD_OPTIONS: LoadOptions = {
  clients: 200,
  symbols: DEFAULT_ASSETS.map((asset) => asset.symbol),
  eventIntervalMs: 100,
  seed: 20261122,
  log: () => undefined,
};

/** What was checked once the stack settled: the promises of docs/reliability.md. */
export interface StackChecks {
  /** Every venue event in `TICKS` exactly once. */
  stream: StreamCheck;
  /** Every reference tick in `PRICES` once, equal to a recomputation from `TICKS`. */
  references: ReferenceCheck;
  clients: ClientCheck & { count: number; connections: number; resets: number; conflated: number; errors: number };
  bucket: HistoryCheck;
  /** Every history instance's `GET /api/history`; a mismatch is named `<instance>:<symbol>`. */
  api: HistoryCheck;
  /** CANDLES against a fold of PRICES from its first tick. */
  candles: CandleCheck;
  /** The writer lease as the history instances logged it. */
  lease: LeaseCheck;
  /** Processes that exited unasked, or ignored SIGTERM for 12 s. */
  crashes: string[];
  /** How often each recovery path ran, counted from the services' logs. */
  recoveries: Record<string, number>;
  ok: boolean;
}

/** Log messages of the services' recovery paths, by what the report calls them. */
const RECOVERY_MESSAGES: Record<string, string> = {
  "history consumed again from a missing tick": "ticks delivered earlier were never written",
  "broadcaster closed a resume with 1013": "resume failed",
  "ingest retried publishes": "publish failed, retrying",
};

export interface ProcessStack {
  nats: NatsServerHandle & Restartable;
  sim: SimExchange;
  ingests: ServiceProcess[];
  broadcasters: ServiceProcess[];
  histories: ServiceProcess[];
  /** Every service process: two ingest replicas, two broadcasters, two history instances. */
  services: ServiceProcess[];
  clients: SeqCheckingClient[];
  nc: NatsConnection;
  logDir: string;
  /** Resolves once the history writer has no candle backfill left to do. */
  backfillDone(): Promise<void>;
  /** Silences upstream, waits for the stream, clients and history to catch up, then checks them all. */
  settleAndCheck(): Promise<StackChecks>;
  /** Stops everything; keeps the service logs when `keepLogs`. */
  close(keepLogs: boolean): Promise<void>;
}

/**
 * nats-server, two ingest replicas, two broadcasters and history as real processes
 * against the simulated exchange, with clients that record every seq and resume as
 * the UI does. Every upstream event sent to an ingest connection is recorded.
 */
export async function startProcessStack(options: LoadOptions): Promise<ProcessStack> {
  const { log } = options;
  const random = seededRandom(options.seed);
  const logDir = await mkdtemp(join(tmpdir(), "cryptostream-stack-"));
  const natsServer = await startNatsServer();
  const nats = Object.assign(natsServer, {
    name: "nats-server",
    kill: (signal: string) => natsServer.stop({ hard: signal === "SIGKILL" }),
    start: () => natsServer.restart(),
  });
  const events: UpstreamEvent[] = [];
  const sim = await startSimExchange({
    symbols: options.symbols,
    intervalMs: options.eventIntervalMs,
    seed: options.seed,
    onMiniTicker: (coin, recipients) => {
      if (recipients > 0) events.push({ venue: "binance", symbol: coin.asset.symbol, ts: coin.updatedAt, price: Number(toBinanceMiniTicker(coin).data.c) });
    },
    onVenueTicker: (venue, coin, price, recipients) => {
      if (recipients > 0) events.push({ venue, symbol: coin.asset.symbol, ts: coin.updatedAt, price });
    },
  });
  const base = { NATS_URL: nats.url, SYMBOLS: options.symbols.join(",") };
  const logFile = (name: string) => join(logDir, `${name}.log`);

  const ingestReplica = async (name: string) => {
    const port = await freePort();
    const env = {
      ...base,
      INGEST_PORT: String(port),
      SOURCES: "binance,coinbase,kraken",
      BINANCE_WS_URL: sim.binanceWsUrl,
      COINBASE_WS_URL: sim.coinbaseWsUrl,
      KRAKEN_WS_URL: sim.krakenWsUrl,
      // The simulated exchange shares this process with every client of the run, which can keep it
      // busy for seconds after a fault (resumes); Binance is given 30 s of silence, so are these.
      VENUE_STALE_TIMEOUT: "30s",
    };
    const service: ServiceProcess = new ServiceProcess(name, "ingest", port, env, logFile(name), async () => {
      const health = await service.health<{ sources: Record<string, { connected?: boolean }[]> }>();
      return ["binance", "coinbase", "kraken"].every((venue) => health?.sources[venue]?.every((feed) => feed.connected) ?? false);
    });
    return service;
  };
  const broadcaster = async (name: string) => {
    const port = await freePort();
    // Every client of the run connects from 127.0.0.1, so the per-address limits are lifted; the
    // instance-wide limit on window reads stays as shipped, and every resume after a kill goes through it.
    const env = {
      ...base,
      BROADCASTER_PORT: String(port),
      BROADCASTER_ID: name,
      SIMULATED: "true",
      MAX_CONNECTIONS: "100000",
      MAX_CONNECTIONS_PER_IP: "100000",
      WINDOW_READS_PER_IP: "100000",
      WINDOW_READS_QUEUE: "100000",
    };
    return new ServiceProcess(name, "broadcaster", port, env, logFile(name));
  };
  const historyInstance = async (name: string) => {
    const port = await freePort();
    const env = { ...base, HISTORY_PORT: String(port), HISTORY_INSTANCE: name, BINANCE_REST_URL: sim.binanceRestUrl, COINGECKO_API_URL: sim.coingeckoApiUrl };
    return new ServiceProcess(name, "history", port, env, logFile(name));
  };
  const ingests = [await ingestReplica("ingest-1"), await ingestReplica("ingest-2")];
  const broadcasters = [await broadcaster("broadcaster-1"), await broadcaster("broadcaster-2")];
  const histories = [await historyInstance("history-1"), await historyInstance("history-2")];
  const services = [...ingests, ...broadcasters, ...histories];
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const jsm = await jetstreamManager(nc);
  const clients: SeqCheckingClient[] = [];

  const close = async (keepLogs: boolean) => {
    clients.forEach((client) => client.stop());
    await Promise.allSettled(services.map((service) => service.kill("SIGTERM")));
    services.forEach((service) => service.close());
    await nc.close();
    await sim.close();
    await nats.cleanup();
    if (!keepLogs) await rm(logDir, { recursive: true, force: true });
  };

  try {
    log(`starting nats-server, 2 ingest, 2 broadcaster and 2 history processes (logs in ${logDir})`);
    await Promise.all(ingests.map((service) => service.start()));
    await waitFor(
      "a tick of every symbol in PRICES",
      async () => {
        const info = await jsm.streams.info(PRICES_STREAM, { subjects_filter: ">" });
        return Object.keys(info.state.subjects ?? {}).length === options.symbols.length;
      },
      30_000,
    );
    await Promise.all([...broadcasters, ...histories].map((service) => service.start()));

    const urls = broadcasters.map((b) => `ws://127.0.0.1:${b.port}/ws`);
    for (let i = 0; i < options.clients; i++) {
      // A quarter follow every symbol, the others a handful.
      const symbols =
        i % 4 === 0
          ? undefined
          : [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => options.symbols[Math.floor(random() * options.symbols.length)]!))];
      const client = new SeqCheckingClient(i % 2 ? [...urls].reverse() : urls, symbols, random);
      clients.push(client);
      client.start();
    }
    await waitFor("every client to get its snapshot", () => clients.every((client) => client.snapshotSeq !== undefined), 30_000);
    log(`${options.clients} clients connected, ${Math.round((options.symbols.length * 1_000) / options.eventIntervalMs)} upstream events/s`);
  } catch (error) {
    await close(true);
    throw error;
  }

  const settleAndCheck = async (): Promise<StackChecks> => {
    log("settling: upstream silent, waiting for the stream, the clients and history to catch up");
    sim.setBinanceSilent(true);
    sim.behaveVenue("coinbase", { frozen: true });
    sim.behaveVenue("kraken", { frozen: true });
    const { lastSeq, ticks } = await settledStream(nc, 5_000, 60_000);
    const venueMessages = await readStream(nc, TICKS_STREAM);
    const venueTicks = venueMessages.flatMap((message) => {
      const decoded = decodeTick(message.data);
      return decoded.ok ? [decoded.tick] : [];
    });
    const lastOf = (symbols: readonly string[] | undefined) => {
      for (let i = ticks.length - 1; i >= 0; i--) if (!symbols || symbols.includes(ticks[i]!.symbol)) return ticks[i]!.seq;
      return 0;
    };
    // Timeouts here are not failures of their own: what did not arrive is counted below.
    await waitFor("every client to see the last tick of its symbols", () => clients.every((c) => c.lastSeq >= lastOf(c.symbols)), 30_000).catch(
      () => undefined,
    );
    await waitFor(
      "history to write every tick",
      async () => {
        const health = await histories[0]!.health<{ consumer?: { pending: number; ackPending: number } }>();
        return health?.consumer?.pending === 0 && health.consumer.ackPending === 0;
      },
      60_000,
    ).catch(() => undefined);
    await waitFor(
      "the history writer to fold every tick into candles",
      async () => {
        const healths = await Promise.all(histories.map((h) => h.health<{ role?: string; candles?: { foldedSeq: number } }>()));
        return healths.some((health) => health?.role === "writer" && (health.candles?.foldedSeq ?? 0) >= lastSeq);
      },
      60_000,
    ).catch(() => undefined);
    const candles = (await readStream(nc, CANDLES_STREAM)).flatMap((message) => {
      const decoded = decodeCandle(message.data);
      return decoded.ok ? [decoded.candle] : [];
    });

    const bucket = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
    const kept = new Map<string, SequencedTick[]>();
    for (const symbol of options.symbols) {
      const values: SequencedTick[] = [];
      for await (const entry of await bucket.history({ key: symbol })) if (entry.operation === "PUT") values.push(entry.json<SequencedTick>());
      kept.set(symbol, values);
    }
    // Readers apply what the writer wrote a moment later: each instance is given a few seconds to agree.
    const apiChecks = await Promise.all(
      histories.map((instance) =>
        waitFor(
          `${instance.name} to serve the last ${HISTORY_DEPTH} of each symbol`,
          async () => {
            const check = checkHistory(await servedHistory(instance.port, options.symbols), ticks, HISTORY_DEPTH);
            return check.mismatched.length === 0 && check;
          },
          10_000,
        ).catch(async () => checkHistory(await servedHistory(instance.port, options.symbols), ticks, HISTORY_DEPTH)),
      ),
    );

    const perClient = clients.map((client) => checkClient(client, ticks));
    perClient.forEach((check, i) => {
      if (check.missing + check.duplicated + check.unknown === 0) return;
      const c = clients[i]!;
      log(
        `client ${i} [${c.symbols?.join(",") ?? "all"}]: ${check.missing} of ${check.expected} missing (first ${check.firstMissing}), ${check.duplicated} duplicated, ${check.unknown} unknown; ${c.connections} connections, last seq ${c.lastSeq} of ${lastOf(c.symbols)}${c.repeats.length ? `; repeats ${JSON.stringify(c.repeats)}` : ""}`,
      );
    });
    const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);
    const crashes = services.flatMap((s) => [
      ...(s.unexpectedExits ? [`${s.name} exited unasked ${s.unexpectedExits} times`] : []),
      ...(s.lateExits ? [`${s.name} ignored SIGTERM for 12 s ${s.lateExits} times`] : []),
    ]);
    const logs = await Promise.all(services.map((service) => readFile(logFile(service.name), "utf8").catch(() => "")));
    const recoveries = Object.fromEntries(
      Object.entries(RECOVERY_MESSAGES).map(([name, text]) => [name, logs.reduce((total, log) => total + log.split(text).length - 1, 0)]),
    );
    const checks: StackChecks = {
      stream: checkStream(events, venueTicks),
      references: checkReferences(venueMessages, await readStream(nc, PRICES_STREAM), DEFAULT_REFERENCE_SETTINGS),
      clients: {
        count: clients.length,
        expected: sum(perClient, (c) => c.expected),
        missing: sum(perClient, (c) => c.missing),
        duplicated: sum(perClient, (c) => c.duplicated),
        unknown: sum(perClient, (c) => c.unknown),
        connections: sum(clients, (c) => c.connections),
        resets: sum(clients, (c) => c.resets),
        conflated: sum(clients, (c) => c.conflated),
        errors: sum(clients, (c) => c.errors.length),
      },
      bucket: checkHistory(kept, ticks, HISTORY_DEPTH),
      api: {
        symbols: apiChecks[0]!.symbols,
        mismatched: apiChecks.flatMap((check, i) => check.mismatched.map((symbol) => `${histories[i]!.name}:${symbol}`)),
      },
      candles: checkCandles(candles, ticks),
      lease: checkLease(histories.map((_, i) => logs[services.length - histories.length + i]!)),
      crashes,
      recoveries,
      ok: false,
    };
    const { stream, clients: seen, references } = checks;
    checks.ok =
      stream.events > 0 &&
      stream.missing + stream.duplicated + stream.unknown === 0 &&
      references.expected > 0 &&
      references.venueTwice.length + references.missing.length + references.extra.length + references.twice.length + references.differing.length === 0 &&
      seen.expected > 0 &&
      seen.missing + seen.duplicated + seen.unknown + seen.resets + seen.conflated + seen.errors === 0 &&
      checks.bucket.mismatched.length === 0 &&
      checks.api.mismatched.length === 0 &&
      checks.candles.missing + checks.candles.duplicated + checks.candles.different.length === 0 &&
      checks.lease.unclean.length === 0 &&
      crashes.length === 0;
    return checks;
  };

  const backfillDone = async () => {
    await waitFor(
      "the history writer's backfill to end",
      async () => {
        const healths = await Promise.all(histories.map((h) => h.health<{ role?: string; candles?: { backfillPending: number } }>()));
        return healths.some((health) => health?.role === "writer" && health.candles?.backfillPending === 0);
      },
      120_000,
    );
  };

  return { nats, sim, ingests, broadcasters, histories, services, clients, nc, logDir, backfillDone, settleAndCheck, close };
}

/** Waits until `PRICES` has not grown for `quietMs`, then reads every tick it holds. */
export async function settledStream(nc: NatsConnection, quietMs: number, timeoutMs: number): Promise<{ lastSeq: number; ticks: SequencedTick[] }> {
  const jsm = await jetstreamManager(nc);
  let lastSeq = -1;
  let stableSince = Date.now();
  await waitFor(
    "the stream to stop growing",
    async () => {
      const seq = (await jsm.streams.info(PRICES_STREAM)).state.last_seq;
      if (seq !== lastSeq) [lastSeq, stableSince] = [seq, Date.now()];
      return Date.now() - stableSince > quietMs;
    },
    timeoutMs,
  );
  const ticks: SequencedTick[] = [];
  await visitTickWindow(nc, { fromSeq: 1, limit: Number.MAX_SAFE_INTEGER }, { onTick: (tick) => void ticks.push(tick) });
  return { lastSeq, ticks };
}

async function servedHistory(port: number, symbols: readonly string[]): Promise<Map<string, SequencedTick[]>> {
  const served = new Map<string, SequencedTick[]>();
  for (const symbol of symbols) {
    const response = await fetch(`http://127.0.0.1:${port}/api/history/${symbol}`).catch(() => undefined);
    served.set(symbol, response?.ok ? ((await response.json()) as HistoryResponse).ticks : []);
  }
  return served;
}

/** The checks as a Markdown table. */
export function formatChecks(checks: StackChecks): string[] {
  const n = (value: number) => value.toLocaleString("en-US");
  const { stream, references, clients, bucket, api, candles, lease } = checks;
  const ids = (list: string[]) => (list.length > 0 ? ` (${list.slice(0, 3).join(", ")}${list.length > 3 ? ", ..." : ""})` : "");
  return [
    "| check | checked | lost | duplicated | other |",
    "|---|---:|---:|---:|---|",
    `| venue events in TICKS exactly once | ${n(stream.events)} events, ${n(stream.ticks)} venue ticks | ${n(stream.missing)} | ${n(stream.duplicated)} | ${n(stream.unknown)} unknown |`,
    `| reference ticks in PRICES = a recomputation from TICKS, each once | ${n(references.expected)} recomputed (${n(references.withheld)} withheld) | ${n(references.missing.length)}${ids(references.missing)} | ${n(references.twice.length + references.venueTwice.length)}${ids([...references.twice, ...references.venueTwice])} | ${n(references.extra.length)} extra${ids(references.extra)}, ${n(references.differing.length)} differing${ids(references.differing)} |`,
    `| every client saw every seq of its symbols | ${n(clients.expected)} ticks on ${n(clients.count)} clients (${n(clients.connections)} connections) | ${n(clients.missing)} | ${n(clients.duplicated)} | ${n(clients.unknown)} unknown, ${n(clients.resets)} resets, ${n(clients.conflated)} conflated, ${n(clients.errors)} errors |`,
    `| price_history = last ${HISTORY_DEPTH} of each symbol | ${bucket.symbols} symbols | ${bucket.mismatched.length} | | ${bucket.mismatched.join(", ") || "all equal"} |`,
    `| every instance's GET /api/history = last ${HISTORY_DEPTH} of each symbol | ${api.symbols} symbols on each of 2 instances | ${api.mismatched.length} | | ${api.mismatched.join(", ") || "all equal"} |`,
    `| CANDLES = a fold of PRICES from its first tick | ${n(candles.expected)} closed candles (${n(candles.stored)} stored, ${n(candles.backfilled)} backfilled) | ${n(candles.missing)} | ${n(candles.duplicated)} | ${candles.different.slice(0, 5).join(", ") || "all equal"}${candles.different.length > 5 ? ` and ${candles.different.length - 5} more` : ""} |`,
    `| the writer lease changed hands only when free | ${n(lease.taken)} takeovers (${Object.entries(lease.how)
      .map(([how, count]) => `${how} ${count}`)
      .join(", ")}); lost ${
      Object.entries(lease.why)
        .map(([why, count]) => `${why} ${count}`)
        .join(", ") || "never"
    }; ${n(lease.conflicts)} writes refused by their revision check | | | ${lease.unclean.join("; ") || "all clean"} |`,
    `| no crash, SIGTERM honoured | 6 services | | | ${checks.crashes.join("; ") || "none"} |`,
    "",
    `Recovery paths taken (from the services' logs): ${Object.entries(checks.recoveries)
      .map(([name, count]) => `${name} ${n(count)}`)
      .join("; ")}.`,
  ];
}
