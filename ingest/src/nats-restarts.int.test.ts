import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DEFAULT_REFERENCE_SETTINGS,
  PRICES_STREAM,
  TICKS_STREAM,
  connectNats,
  createLogger,
  createMetrics,
  ensurePricesStream,
  pricesStreamSettings,
  type NatsConnection,
} from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { checkReferences, readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngest, type IngestService } from "./app";
import { loadIngestConfig } from "./config";

const SYMBOLS = ["btc", "eth", "sol"];
const logger = createLogger({ service: "ingest", level: "silent" });

// Real time throughout: the outages are a real nats-server's, killed and started again.
describe("the reference price across restarts of nats-server", () => {
  let server: NatsServerHandle;
  let sim: SimExchange;
  let nc: NatsConnection;
  let observer: NatsConnection;
  let ingest: IngestService;
  const config = () =>
    loadIngestConfig({ NATS_URL: server.url, INGEST_PORT: "0", SOURCES: "binance", BINANCE_WS_URL: sim.binanceWsUrl, SYMBOLS: SYMBOLS.join(",") });
  const jsm = (): Promise<JetStreamManager> => jetstreamManager(observer);
  const lastSeq = async (stream: string) => (await (await jsm()).streams.info(stream)).state.last_seq;
  const health = async () =>
    (await fetch(`http://127.0.0.1:${ingest.port}/healthz`)).json() as Promise<{ ok: boolean; referenceFollower: { reopened: number } }>;
  /** Ten market moves, one every 20 ms, each a venue tick of every symbol. */
  const moves = async () => {
    for (let i = 0; i < 10; i++) {
      sim.tick();
      await sleep(20);
    }
  };
  /** PRICES grows again: market moves until TICKS is past `ticksBefore`, then one reference tick per venue tick. */
  const referencesFlow = async (what: string, ticksBefore = 0) => {
    const venueTicks = await waitFor(
      `${what}: new venue ticks stored`,
      async () => {
        await moves();
        const seq = await lastSeq(TICKS_STREAM).catch(() => 0);
        return seq > ticksBefore && seq >= 10 * SYMBOLS.length && seq;
      },
      20_000,
    );
    await waitFor(`${what}: a reference tick for each`, async () => (await readStream(observer, PRICES_STREAM)).length >= venueTicks, 20_000);
  };

  beforeAll(async () => {
    server = await startNatsServer();
    sim = await startSimExchange({ intervalMs: 0, symbols: SYMBOLS });
    nc = await connectNats({ url: server.url, name: "ingest", logger });
    observer = await connectNats({ url: server.url, name: "observer", logger });
    ingest = await startIngest({ config: config(), nc, logger, metrics: createMetrics("ingest") });
    await waitFor("ingest on the simulated Binance", () => sim.binanceClientCount() === 1);
    await referencesFlow("at start");
  });

  afterAll(async () => {
    await ingest?.close();
    await nc?.close();
    await observer?.close();
    await sim?.close();
    await server?.cleanup();
  });

  for (const outageMs of [100, 1_000, 5_000]) {
    it(`forms reference prices again after nats-server is killed for ${outageMs} ms, each once and equal to a recomputation`, async () => {
      const before = await lastSeq(PRICES_STREAM);
      const ticksBefore = await lastSeq(TICKS_STREAM);
      await server.stop({ hard: true });
      await sleep(outageMs);
      await server.restart();
      await referencesFlow(`after ${outageMs} ms`, ticksBefore);
      expect(await lastSeq(PRICES_STREAM)).toBeGreaterThan(before);
      await ingest.referencePublisher.flush();
      const check = checkReferences(await readStream(observer, TICKS_STREAM), await readStream(observer, PRICES_STREAM), DEFAULT_REFERENCE_SETTINGS);
      expect(check).toMatchObject({ venueTwice: [], missing: [], extra: [], twice: [], differing: [] });
      expect((await health()).ok).toBe(true);
    }, 60_000);
  }

  it("starts over on a TICKS and a PRICES made again after the store was lost", async () => {
    await server.stop({ hard: true });
    await rm(server.storeDir, { recursive: true, force: true });
    await server.restart();
    // What an operator's provisioning does after the loss.
    const operator = await connectNats({ url: server.url, name: "operator", logger });
    for (const stream of [PRICES_STREAM, TICKS_STREAM] as const) await ensurePricesStream(operator, pricesStreamSettings(config()), { logger, stream });
    await operator.close();
    await referencesFlow("on the new streams");
    await ingest.referencePublisher.flush();
    const check = checkReferences(await readStream(observer, TICKS_STREAM), await readStream(observer, PRICES_STREAM), DEFAULT_REFERENCE_SETTINGS);
    expect(check).toMatchObject({ missing: [], extra: [], twice: [], differing: [] });
    expect(check.expected).toBeGreaterThan(0);
  }, 60_000);
});
