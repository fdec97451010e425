import { jetstreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, connectNats, createLogger, createMetrics, type NatsConnection, type ServiceMetrics, type Tick } from "@cryptostream/core";
import { startSimExchange, toBinanceMiniTicker, type SimExchange } from "@cryptostream/sim-exchange";
import { readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startIngest, type IngestService } from "./app";
import { loadIngestConfig } from "./config";

const logger = createLogger({ service: "ingest", level: "silent" });

/**
 * A venue's first price after a start has no past of its own: a price a thousand times off, or
 * a thousandth, must still never reach `PRICES`, and the venue's true prices must flow again.
 */
describe("bad first prices after a restart of ingest", () => {
  let server: NatsServerHandle;
  let sim: SimExchange;
  let observer: NatsConnection;
  let running: { ingest: IngestService; nc: NatsConnection; metrics: ServiceMetrics }[] = [];

  const startReplica = async (sources: string, env: Record<string, string> = {}) => {
    const nc = await connectNats({ url: server.url, name: "ingest", logger });
    const metrics = createMetrics("ingest");
    const config = loadIngestConfig({
      NATS_URL: server.url,
      INGEST_PORT: "0",
      SYMBOLS: "btc",
      SOURCES: sources,
      BINANCE_WS_URL: sim.binanceWsUrl,
      COINBASE_WS_URL: sim.coinbaseWsUrl,
      KRAKEN_WS_URL: sim.krakenWsUrl,
      ...env,
    });
    const replica = { ingest: await startIngest({ config, nc, logger, metrics }), nc, metrics };
    running.push(replica);
    return replica;
  };
  const stopAll = async () => {
    for (const { ingest, nc } of running) {
      await ingest.close();
      await nc.close();
    }
    running = [];
  };
  const references = async () => (await readStream(observer, PRICES_STREAM)).map((message) => JSON.parse(message.data) as Tick);
  const market = () => sim.market.coins.get("btc")!.price;
  /** A mini ticker for btc at `factor` times the market, as the hostile upstream sends it. */
  const badBinance = (factor: number, ts: number) => {
    const coin = sim.market.coins.get("btc")!;
    return JSON.stringify(toBinanceMiniTicker({ ...coin, price: coin.price * factor, updatedAt: ts }));
  };
  const offMarket = async (metrics: ServiceMetrics) =>
    (await metrics.ticksRejected.get()).values.filter((value) => value.labels.reason === "off_market").reduce((sum, value) => sum + value.value, 0);
  /** Moves the market and waits until PRICES holds `more` reference ticks beyond `before`. */
  const goodSteps = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const before = (await references()).length;
      sim.tick();
      await waitFor("the step's reference tick", async () => (await references()).length > before);
    }
  };
  const held = async (metrics: ServiceMetrics) =>
    ((await metrics.registry.getSingleMetric("cryptostream_ingest_ticks_held_total")?.get())?.values ?? []).reduce((sum, value) => sum + value.value, 0);
  /** A new deployment's first Binance price, held until the next confirms it. */
  const firstStep = async () => {
    sim.tick();
    await waitFor("the first price held", async () => (await Promise.all(running.map((r) => held(r.metrics)))).every((count) => count === 1));
  };
  const expectNothingOff = async () => {
    for (const { ingest } of running) await ingest.referencePublisher.flush();
    const off = (await references()).filter((tick) => tick.price > market() * 2 || tick.price < market() / 2);
    expect(off).toEqual([]);
  };

  beforeEach(async () => {
    server = await startNatsServer();
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc"] });
    observer = await connectNats({ url: server.url, name: "observer", logger });
  });
  afterEach(async () => {
    await stopAll();
    await observer.close();
    await sim.close();
    await server.cleanup();
  });

  it.each([
    ["a thousand times", 1_000],
    ["a thousandth", 0.001],
  ])("Binance alone, two replicas: a first price at %s the market is refused as off_market, and the next true one is published", async (_, factor) => {
    await startReplica("binance");
    await waitFor("ingest on Binance", () => sim.binanceClientCount() === 1);
    await firstStep();
    await goodSteps(3);
    await stopAll();
    const replicas = [await startReplica("binance"), await startReplica("binance")];
    await waitFor("both replicas on Binance", () => sim.binanceClientCount() === 2);
    const before = (await references()).length;
    sim.sendRawToBinanceClients(badBinance(factor, Date.now()));
    await waitFor("both refused it", async () => (await Promise.all(replicas.map((r) => offMarket(r.metrics)))).every((count) => count === 1));
    // The true price flows again at its venue's next tick.
    await goodSteps(2);
    expect((await references()).length).toBe(before + 2);
    await expectNothingOff();
  });

  it.each([
    ["a thousand times", 1_000],
    ["a thousandth", 0.001],
  ])(
    "a new deployment, Binance alone, two replicas: a very first price at %s the market reaches nothing, and the venue's true prices flow from its second true tick, the first included",
    async (_, factor) => {
      const replicas = [await startReplica("binance"), await startReplica("binance")];
      await waitFor("both replicas on Binance", () => sim.binanceClientCount() === 2);
      sim.sendRawToBinanceClients(badBinance(factor, Date.now()));
      await waitFor("both held it", async () => (await Promise.all(replicas.map((r) => held(r.metrics)))).every((count) => count === 1));
      // The true price disagrees with it, and nothing tells which is right: held beside it, until the next agrees.
      sim.tick();
      await waitFor("both held the true price too", async () => (await Promise.all(replicas.map((r) => held(r.metrics)))).every((count) => count === 2));
      await goodSteps(2);
      const unconfirmed = async (metrics: ServiceMetrics) => (await metrics.ticksRejected.get()).values.find((v) => v.labels.reason === "unconfirmed")?.value;
      expect(await Promise.all(replicas.map((r) => unconfirmed(r.metrics)))).toEqual([1, 1]);
      expect(await references()).toHaveLength(3);
      await expectNothingOff();
    },
  );

  it("three venues all a thousand times off on their first tick after a restart: none reaches PRICES, and each venue's true price does", async () => {
    await startReplica("binance,coinbase,kraken");
    await waitFor(
      "ingest on every venue",
      () => sim.binanceClientCount() === 1 && sim.venueClientCount("coinbase") === 1 && sim.venueClientCount("kraken") === 1,
    );
    await goodSteps(3);
    await stopAll();
    // Their snapshots on subscribing are the first ticks after the restart.
    sim.behaveVenue("coinbase", { factor: 1_000 });
    sim.behaveVenue("kraken", { factor: 1_000 });
    const { metrics } = await startReplica("binance,coinbase,kraken");
    await waitFor(
      "ingest on every venue again",
      () => sim.binanceClientCount() === 1 && sim.venueClientCount("coinbase") === 1 && sim.venueClientCount("kraken") === 1,
    );
    sim.sendRawToBinanceClients(badBinance(1_000, Date.now()));
    await waitFor("all three refused", async () => (await offMarket(metrics)) === 3);
    sim.behaveVenue("coinbase", {});
    sim.behaveVenue("kraken", {});
    await goodSteps(3);
    const last = (await references()).at(-1)!;
    expect(last).toMatchObject({ source: "index" });
    expect(last.inputs?.map((input) => input.venue)).toEqual(["binance", "coinbase", "kraken"]);
    await expectNothingOff();
  });

  it("a lone venue's bad price is withheld by the reference (unconfirmed) when the other venues it had are stale", async () => {
    // Short enough that a frozen venue goes stale within the test; ages are stored times, so the wait is real.
    await startReplica("binance,coinbase", { REFERENCE_STALE_AFTER: "400ms" });
    await waitFor("ingest on both venues", () => sim.binanceClientCount() === 1 && sim.venueClientCount("coinbase") === 1);
    await goodSteps(2);
    const { metrics } = running[0]!;
    // Coinbase falls silent; Binance jumps 30%: within the gate's 50% of its own last price, but a lone venue 30% from the one remembered.
    sim.behaveVenue("coinbase", { frozen: true });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const jsm = await jetstreamManager(observer);
    const stored = (await jsm.streams.info(PRICES_STREAM)).state.messages;
    sim.sendRawToBinanceClients(badBinance(1.3, Date.now()));
    const withheld = async () =>
      ((await metrics.registry.getSingleMetric("cryptostream_reference_withheld_total")?.get())?.values ?? []).find((v) => v.labels.reason === "unconfirmed")
        ?.value ?? 0;
    await waitFor("the price withheld", async () => (await withheld()) >= 1, 15_000);
    expect((await jsm.streams.info(PRICES_STREAM)).state.messages).toBe(stored);
  }, 40_000);
});
