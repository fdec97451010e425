import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  CANDLES_STREAM,
  HISTORY_DEPTH,
  PRICE_HISTORY_BUCKET,
  WRITER_LEASE_MS,
  decodeCandle,
  type HistoryResponse,
  type NatsConnection,
  type SequencedTick,
} from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { freePort, readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCandles, checkHistory } from "./reliability/checks";
import { settledStream } from "./reliability/process-stack";
import { ServiceProcess } from "./reliability/service-process";

const SYMBOLS = ["btc", "eth", "sol"];

interface LeaseLogLine {
  msg: string;
  instance: string;
  revision: number;
  how?: string;
  why?: string;
}

/**
 * History as several real processes on one nats-server, fed by a real ingest from the simulated
 * exchange: one writer elected, handed over on SIGTERM, taken over after SIGKILL and after SIGSTOP
 * past the lease, and every instance answering the same, equal to the stream.
 */
describe("history instances side by side", () => {
  let nats: NatsServerHandle;
  let sim: SimExchange;
  let nc: NatsConnection;
  let logDir: string;
  let ingest: ServiceProcess;
  const histories: ServiceProcess[] = [];

  const startHistoryProcess = async (name: string) => {
    const port = await freePort();
    const env = { NATS_URL: nats.url, HISTORY_PORT: String(port), HISTORY_INSTANCE: name, CANDLE_BACKFILL: "false", LOG_LEVEL: "debug" };
    const service = new ServiceProcess(name, "history", port, env, join(logDir, `${name}.log`));
    histories.push(service);
    await service.start();
    return service;
  };
  const roleOf = async (service: ServiceProcess) => (await service.health<{ role: string }>())?.role;
  const writers = async (among = histories) => {
    const roles = await Promise.all(among.map(roleOf));
    return among.filter((_, i) => roles[i] === "writer");
  };
  /** Waits for one writer among the others than `than`, and says how long it took from `since`. */
  const takeoverBy = async (than: ServiceProcess, since: number, timeoutMs: number) => {
    const others = histories.filter((h) => h !== than);
    await waitFor("another instance to write", async () => (await writers(others)).length === 1, timeoutMs);
    return Date.now() - since;
  };
  const writtenTotal = async (service: ServiceProcess) => {
    const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    return Number(/^cryptostream_history_ticks_written_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const leaseLog = async (): Promise<LeaseLogLine[]> => {
    const lines = (await Promise.all(histories.map((h) => readFile(join(logDir, `${h.name}.log`), "utf8")))).flatMap((text) => text.split("\n"));
    return lines
      .filter((line) => line.includes("writer lease"))
      .map((line) => JSON.parse(line) as LeaseLogLine & { time: number })
      .sort((a, b) => a.time - b.time);
  };

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), "cryptostream-history-replicas-"));
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    sim = await startSimExchange({ symbols: SYMBOLS, intervalMs: 100, seed: 16 });
    const ingestPort = await freePort();
    const ingestEnv = { NATS_URL: nats.url, INGEST_PORT: String(ingestPort), SOURCES: "binance", BINANCE_WS_URL: sim.binanceWsUrl, SYMBOLS: SYMBOLS.join(",") };
    ingest = new ServiceProcess("ingest", "ingest", ingestPort, ingestEnv, join(logDir, "ingest.log"));
    await ingest.start();
    await startHistoryProcess("history-a");
    await startHistoryProcess("history-b");
  }, 90_000);
  afterAll(async () => {
    for (const service of [...histories, ingest]) {
      service.resume();
      await service.kill("SIGTERM");
      service.close();
    }
    await nc?.close();
    await sim?.close();
    await nats?.cleanup();
    await rm(logDir, { recursive: true, force: true });
  });

  it("elects exactly one writer; the other serves as a reader, and says so in /healthz", async () => {
    const [a, b] = histories as [ServiceProcess, ServiceProcess];
    expect(await writers()).toEqual([a]);
    expect(await b.health()).toMatchObject({ ok: true, role: "reader", writer: { instance: "history-a" } });
  });

  it("hands over on SIGTERM: another instance writes at once", async () => {
    const [writer] = await writers();
    const at = Date.now();
    await writer!.kill("SIGTERM");
    const tookMs = await takeoverBy(writer!, at, 5_000);
    expect(tookMs).toBeLessThan(1_500);
    expect((await leaseLog()).filter((line) => line.how).at(-1)).toMatchObject({ how: "handed_over" });
    await writer!.start();
    expect(await roleOf(writer!)).toBe("reader");
  }, 40_000);

  it(`takes over within 5 s of the writer's SIGKILL (its lease: ${WRITER_LEASE_MS} ms)`, async () => {
    const [writer] = await writers();
    const at = Date.now();
    await writer!.kill("SIGKILL");
    const tookMs = await takeoverBy(writer!, at, 10_000);
    expect(tookMs).toBeLessThan(5_000);
    await writer!.start();
  }, 40_000);

  it("fences off a writer paused past its lease: another takes over, and the paused one, resumed, stops before writing again", async () => {
    const [writer] = await writers();
    const at = Date.now();
    writer!.pause();
    const tookMs = await takeoverBy(writer!, at, 10_000);
    expect(tookMs).toBeLessThan(5_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    writer!.resume();
    await waitFor("the resumed instance to read only", async () => (await roleOf(writer!)) === "reader", 10_000);
    const written = await writtenTotal(writer!);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await writtenTotal(writer!)).toBe(written);
    const lost = (await leaseLog()).filter((line) => line.instance === writer!.name && line.why);
    expect(lost.at(-1)).toMatchObject({ why: "expired" });
    expect((await writers()).length).toBe(1);
  }, 40_000);

  it("lets an instance started while nobody writes serve as a reader, then catch up with the next writer", async () => {
    const [writer] = await writers();
    await writer!.kill("SIGKILL");
    const late = await startHistoryProcess("history-c");
    // The dead writer's lease has not expired yet: the newcomer reads.
    expect(await roleOf(late)).toBe("reader");
    await waitFor("a writer again", async () => (await writers()).length === 1, 10_000);
    await writer!.start();
  }, 40_000);

  it("leaves every instance answering the same, equal to the last 50 of the stream; CANDLES a fold of PRICES; every takeover clean", async () => {
    sim.setBinanceSilent(true);
    const { lastSeq, ticks } = await settledStream(nc, 1_000, 20_000);
    const served = async (service: ServiceProcess) => {
      const bySymbol = new Map<string, SequencedTick[]>();
      for (const symbol of SYMBOLS) {
        const response = await fetch(`http://127.0.0.1:${service.port}/api/history/${symbol}`);
        bySymbol.set(symbol, response.ok ? ((await response.json()) as HistoryResponse).ticks : []);
      }
      return bySymbol;
    };
    for (const service of histories) {
      await waitFor(
        `${service.name} to answer the last ${HISTORY_DEPTH} of the stream`,
        async () => checkHistory(await served(service), ticks, HISTORY_DEPTH).mismatched.length === 0,
        20_000,
      );
    }
    const bucket = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
    const kept = new Map<string, SequencedTick[]>();
    for (const symbol of SYMBOLS) {
      const values: SequencedTick[] = [];
      for await (const entry of await bucket.history({ key: symbol })) if (entry.operation === "PUT") values.push(entry.json<SequencedTick>());
      kept.set(symbol, values);
    }
    expect(checkHistory(kept, ticks, HISTORY_DEPTH).mismatched).toEqual([]);
    const [writer] = await writers();
    await waitFor(
      "the writer to fold every tick",
      async () => ((await writer!.health<{ candles: { foldedSeq: number } }>())?.candles.foldedSeq ?? 0) >= lastSeq,
      20_000,
    );
    const candles = (await readStream(nc, CANDLES_STREAM)).flatMap((message) => {
      const decoded = decodeCandle(message.data);
      return decoded.ok ? [decoded.candle] : [];
    });
    const check = checkCandles(candles, ticks);
    expect({ missing: check.missing, duplicated: check.duplicated, different: check.different }).toEqual({ missing: 0, duplicated: 0, different: [] });
    // Every takeover found the lease free (never taken from a live holder), and the lease's revisions only grew.
    const taken = (await leaseLog()).filter((line) => line.how);
    expect(taken.length).toBeGreaterThanOrEqual(5);
    expect(taken.every((line) => ["vacant", "expired", "handed_over", "renewed"].includes(line.how!))).toBe(true);
    expect(taken.map((line) => line.revision)).toEqual([...taken.map((line) => line.revision)].sort((x, y) => x - y));
  }, 90_000);
});
