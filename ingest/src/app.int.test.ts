import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import {
  ASSETS_BUCKET,
  DEFAULT_REFERENCE_SETTINGS,
  PRICES_STREAM,
  TICKS_STREAM,
  createLogger,
  createMetrics,
  type NatsConnection,
  type ServiceMetrics,
} from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { checkReferences, readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIngest, type IngestService } from "./app";
import { ingestOnSim } from "../test-support/ingest-on-sim";
import { loadIngestConfig } from "./config";

/** The sum of a counter over its labels. */
const counted = async (metrics: ServiceMetrics, name: string) =>
  ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).reduce((sum, v) => sum + v.value, 0);

describe("ingest against the simulated exchange and a real nats-server", () => {
  let server: NatsServerHandle;
  let sim: SimExchange;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let ingest: IngestService;
  const metrics = createMetrics("ingest");

  const streamMessages = async () => (await jsm.streams.info(PRICES_STREAM)).state.messages;
  const rejected = async (reason: string) => (await metrics.ticksRejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeAll(async () => {
    server = await startNatsServer();
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc", "eth", "sol", "xlm"] });
    nc = await connect({ servers: server.url });
    const config = loadIngestConfig({
      NATS_URL: server.url,
      INGEST_PORT: "0",
      SOURCES: "binance",
      BINANCE_WS_URL: sim.binanceWsUrl,
    });
    ingest = await startIngest({ config, nc, logger: createLogger({ service: "ingest", level: "silent" }), metrics });
    jsm = await jetstreamManager(nc);
    await waitFor("ingest to connect to the simulated Binance", () => sim.binanceClientCount() === 1);
  });

  afterAll(async () => {
    await ingest?.close();
    await nc?.close();
    await sim?.close();
    await server?.cleanup();
  });

  it("holds a new deployment's first price of each symbol until the next confirms it, then publishes both", async () => {
    sim.tick();
    await waitFor("4 first ticks held", async () => (await counted(metrics, "cryptostream_ingest_ticks_held_total")) === 4);
    expect(await streamMessages()).toBe(0);
    sim.tick();
    await waitFor("8 ticks in PRICES", async () => (await streamMessages()) === 8);
    expect((await readStream(nc, TICKS_STREAM)).filter((m) => m.subject === "ticks.binance.btc")).toHaveLength(2);
  });

  it("publishes every mini ticker to ticks.binance.<symbol> with a msg id from source, symbol and ts, and the reference tick it makes to prices.<symbol>", async () => {
    const before = await streamMessages();
    sim.tick();
    await waitFor("4 more ticks in PRICES", async () => (await streamMessages()) === before + 4);
    const coin = sim.market.coins.get("btc")!;
    const venueTick = await jsm.streams.getMessage(TICKS_STREAM, { last_by_subj: "ticks.binance.btc" });
    expect(venueTick!.json()).toMatchObject({ symbol: "btc", price: coin.price, ts: coin.updatedAt, source: "binance" });
    expect(venueTick!.header.get("Nats-Msg-Id")).toBe(`binance:btc:${coin.updatedAt}`);
    const stored = await jsm.streams.getMessage(PRICES_STREAM, { last_by_subj: "prices.btc" });
    // One venue alone: the price is that venue's, and says so.
    expect(stored!.json()).toMatchObject({
      symbol: "btc",
      price: coin.price,
      ts: coin.updatedAt,
      source: "binance",
      inputs: [{ venue: "binance", price: coin.price, age: 0 }],
    });
    expect(stored!.header.get("Nats-Msg-Id")).toBe(`ref:btc:${venueTick!.seq}`);
  });

  it("rejects and counts a malformed frame without stopping the feed", async () => {
    const before = await streamMessages();
    const malformedBefore = await rejected("malformed_json");
    sim.sendRawToBinanceClients('{"stream":"btcusdt@miniTicker","data":{"e":"24hrMini');
    sim.sendRawToBinanceClients(JSON.stringify({ stream: "btcusdt@miniTicker", data: { e: "24hrMiniTicker", E: Date.now(), s: "BTCUSDT", c: "0" } }));
    sim.tick();
    await waitFor("the next 4 good ticks", async () => (await streamMessages()) === before + 4);
    expect(await rejected("malformed_json")).toBe(malformedBefore + 1);
    expect(await rejected("invalid_event")).toBeGreaterThanOrEqual(1);
  });

  it("lets JetStream drop a second publish of the same upstream event", async () => {
    const before = await streamMessages();
    const tick = { symbol: "btc", price: 1, ts: 1_763_800_000_000, source: "replica-test" };
    ingest.publisher.publish(tick);
    ingest.publisher.publish({ ...tick });
    await ingest.publisher.flush();
    expect(await streamMessages()).toBe(before + 1);
  });
});

describe("ingest from CoinGecko alone", () => {
  it("publishes CoinGecko ticks while Binance is silent and writes each coin's metadata to the assets bucket", async () => {
    const { sim, nc, metrics, close } = await ingestOnSim(["btc", "eth"], { SOURCES: "coingecko", COINGECKO_POLL_INTERVAL: "50ms" });
    try {
      const jsm = await jetstreamManager(nc);
      await waitFor("both first prices held", async () => (await counted(metrics, "cryptostream_ingest_ticks_held_total")) === 2);
      sim.tick();
      await waitFor("both coins' two prices in PRICES", async () => (await jsm.streams.info(PRICES_STREAM)).state.messages === 4);
      const stored = await jsm.streams.getMessage(PRICES_STREAM, { last_by_subj: "prices.eth" });
      expect(stored!.json()).toMatchObject({ symbol: "eth", source: "coingecko", price: sim.market.coins.get("eth")!.price });

      const assets = await new Kvm(nc).open(ASSETS_BUCKET);
      const btc = await waitFor("btc metadata", async () => (await assets.get("btc"))?.json<Record<string, unknown>>());
      expect(btc).toMatchObject({ symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin", marketCapRank: 1 });

      await waitFor("a few more polls", async () => (await counted(metrics, "cryptostream_ingest_ticks_unchanged_total")) >= 4);
      expect((await jsm.streams.info(PRICES_STREAM)).state.messages).toBe(4);
      expect((await metrics.ticksRejected.get()).values.filter((v) => v.value > 0)).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe("ingest's Binance connections", () => {
  it("shards past 1024 streams per connection and reconnects on serverShutdown", async () => {
    const symbols = Array.from({ length: 1030 }, (_, i) => `c${i}`);
    const { sim, close } = await ingestOnSim(symbols, { SOURCES: "binance" });
    try {
      await waitFor(
        "both shards subscribed",
        () =>
          sim
            .binanceStreams()
            .map((s) => s.length)
            .sort((a, b) => a - b)
            .join() === "6,1024",
        10_000,
      );
      sim.sendRawToBinanceClients(JSON.stringify({ e: "serverShutdown", E: Date.now() }));
      await waitFor("both shards to reconnect", () => sim.binanceConnectionsAccepted() === 4 && sim.binanceClientCount() === 2, 10_000);
    } finally {
      await close();
    }
  });
});

describe("ingest replicas and NATS outages", () => {
  it("two replicas on the same three venues put each venue event once in TICKS and one reference tick per event in PRICES, equal to a recomputation, across a nats-server crash", async () => {
    const server = await startNatsServer();
    const symbols = ["btc", "eth", "sol", "xlm"];
    const sim = await startSimExchange({ intervalMs: 0, symbols });
    const replicas = await Promise.all(
      [1, 2].map(async () => {
        const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
        const config = loadIngestConfig({
          NATS_URL: server.url,
          INGEST_PORT: "0",
          SOURCES: "binance,coinbase,kraken",
          BINANCE_WS_URL: sim.binanceWsUrl,
          COINBASE_WS_URL: sim.coinbaseWsUrl,
          KRAKEN_WS_URL: sim.krakenWsUrl,
          SYMBOLS: symbols.join(","),
        });
        const ingest = await startIngest({ config, nc, logger: createLogger({ service: "ingest", level: "silent" }), metrics: createMetrics("ingest") });
        return { nc, ingest };
      }),
    );
    const observer = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      await waitFor("both replicas connected to every venue", () =>
        [sim.binanceClientCount(), sim.venueClientCount("coinbase"), sim.venueClientCount("kraken")].every((count) => count === 2),
      );
      const jsm = await jetstreamManager(observer);
      // Snapshots on subscribing: one per venue and symbol from each of the two.
      await waitFor("the venues' snapshots", async () => (await jsm.streams.info(TICKS_STREAM)).state.messages === 2 * symbols.length);
      // Real time between events: they must straddle a real nats-server's crash and restart.
      const step = async (count: number) => {
        for (let i = 0; i < count; i++) {
          sim.tick();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      await step(10);
      await server.stop({ hard: true });
      await step(10);
      await server.restart();
      await step(10);
      await Promise.all(replicas.map((r) => r.ingest.publisher.flush()));
      const events = (2 + 3 * 30) * symbols.length;
      await waitFor("every venue event in TICKS", async () => (await jsm.streams.info(TICKS_STREAM)).state.messages === events, 20_000);
      await waitFor("a reference tick of each in PRICES", async () => (await jsm.streams.info(PRICES_STREAM)).state.messages === events, 20_000);
      await Promise.all(replicas.map((r) => r.ingest.referencePublisher.flush()));

      const check = checkReferences(await readStream(observer, TICKS_STREAM), await readStream(observer, PRICES_STREAM), DEFAULT_REFERENCE_SETTINGS);
      expect(check).toMatchObject({ venueTicks: events, venueTwice: [], expected: events, withheld: 0, missing: [], extra: [], twice: [], differing: [] });
      const sources = (await readStream(observer, PRICES_STREAM)).map((message) => JSON.parse(message.data).source);
      expect(sources.filter((source) => source === "index").length).toBeGreaterThan(events / 2);
    } finally {
      for (const { ingest, nc } of replicas) {
        await ingest.close();
        await nc.close();
      }
      await observer.close();
      await sim.close();
      await server.cleanup();
    }
  }, 60_000);
});
