import { createLogger } from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { FakeClock, waitFor } from "@cryptostream/testing";
import { afterEach, describe, expect, it } from "vitest";
import { BinanceFeed, type BinanceFeedOptions } from "./binance-feed";

const logger = createLogger({ service: "ingest", level: "silent" });
const DAY_MS = 86_400_000;

/**
 * The feed's real sockets against the simulated exchange, its timers (staleness, the 24 h
 * rotation, reconnect backoff, SUBSCRIBE spacing) on a fake clock: no test waits for a timer,
 * only for the socket events the clock's moves set off.
 */
describe("BinanceFeed against the simulated exchange, on a fake clock", () => {
  let sim: SimExchange | undefined;
  let feed: BinanceFeed | undefined;
  afterEach(async () => {
    feed?.close();
    await sim?.close();
    feed = undefined;
    sim = undefined;
  });

  async function open(symbols: string[], options: Partial<BinanceFeedOptions> = {}) {
    sim = await startSimExchange({ intervalMs: 0, symbols });
    const clock = new FakeClock();
    const frames: { stream: string; data: { E: number } }[] = [];
    const disconnects: string[] = [];
    const started = sim;
    feed = new BinanceFeed({
      baseUrl: started.binanceWsUrl,
      pairs: symbols.map((s) => `${s}usdt`),
      logger,
      staleAfterMs: 10_000,
      backoff: { baseMs: 100, maxMs: 1_000 },
      clock,
      onFrame: (text) => {
        const message = JSON.parse(text);
        if (message.stream) frames.push(message);
      },
      onDisconnect: (reason) => disconnects.push(reason),
      ...options,
    });
    feed.start();
    await waitFor("the feed to connect", () => started.binanceClientCount() === 1);
    return { sim: started, feed, clock, frames, disconnects };
  }

  const ticksArrive = async (sim: SimExchange, frames: unknown[]) => {
    const before = frames.length;
    sim.tick();
    await waitFor("the next mini tickers", () => frames.length > before);
  };

  it.each([
    ["close", "closed"],
    ["destroy", "closed_abnormally"],
  ] as const)("reconnects after the exchange's %s once the backoff has passed, reports it as %s, and goes on receiving", async (how, reason) => {
    const { sim, clock, frames, disconnects } = await open(["btc", "eth"]);
    await ticksArrive(sim, frames);
    sim.dropBinanceClients(how);
    await waitFor("the drop noticed", () => disconnects.length === 1);
    expect(sim.binanceConnectionsAccepted()).toBe(1);
    clock.advance(1_000); // the longest the first backoff can be
    await waitFor("a second connection", () => sim.binanceConnectionsAccepted() === 2 && sim.binanceClientCount() === 1);
    await ticksArrive(sim, frames);
    expect(disconnects).toEqual([reason]);
  });

  it("replaces a connection silent for longer than staleAfterMs, and not before", async () => {
    const { sim, feed, clock, disconnects } = await open(["btc"]);
    sim.setBinanceSilent(true);
    clock.advance(9_999);
    expect(disconnects).toEqual([]);
    clock.advance(2);
    await waitFor("the silence noticed", () => disconnects.length === 1);
    clock.advance(1_000);
    await waitFor("a reconnect after the silence", () => sim.binanceConnectionsAccepted() === 2);
    expect(feed.status().errors).toBeGreaterThanOrEqual(1);
    expect(disconnects).toEqual(["stale"]);
  });

  it("backs off longer after each failed attempt, and not again for a connection that died young", async () => {
    const { sim, clock, disconnects } = await open(["btc"], { random: () => 1, backoff: { baseMs: 100, maxMs: 800 } });
    const attemptsAfter = async (ms: number) => {
      clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
      return sim.binanceConnectionsAccepted();
    };
    for (const [drop, backoffMs] of [
      [1, 100],
      [2, 200],
      [3, 400],
    ] as const) {
      sim.dropBinanceClients("destroy");
      await waitFor(`drop ${drop} noticed`, () => disconnects.length === drop);
      expect(await attemptsAfter(backoffMs - 1)).toBe(drop);
      clock.advance(1);
      await waitFor(`attempt ${drop + 1}`, () => sim.binanceConnectionsAccepted() === drop + 1 && sim.binanceClientCount() === 1);
    }
  });

  it("answers pings with pongs that echo the payload", async () => {
    const { sim } = await open(["btc"]);
    sim.pingBinanceClients("ping-1763800000000");
    await waitFor("the pong", () => sim.pongs.length === 1);
    expect(sim.pongs).toEqual(["ping-1763800000000"]);
  });

  it("switches to a new connection before Binance's 24 h limit without missing an event", async () => {
    const { sim, clock, frames } = await open(["btc"]);
    const emitted: number[] = [];
    const emit = async () => {
      sim.tick();
      emitted.push(sim.market.coins.get("btc")!.updatedAt);
      await waitFor("the event", () => frames.some((f) => f.data.E === emitted.at(-1)));
    };
    await emit();
    clock.advance(DAY_MS - 10 * 60_000 - 1);
    expect(sim.binanceConnectionsAccepted()).toBe(1);
    clock.advance(1);
    await waitFor("the replacement connected", () => sim.binanceConnectionsAccepted() === 2);
    for (let i = 0; i < 5; i++) await emit();
    await waitFor("the old connection to close", () => sim.binanceClientCount() === 1);
    expect([...new Set(frames.map((f) => f.data.E))].sort((a, b) => a - b)).toEqual(emitted);
  });

  it("names the first 100 streams in the URL and subscribes the rest in batches, spaced inside Binance's message rate", async () => {
    const symbols = Array.from({ length: 350 }, (_, i) => `c${i}`);
    const { sim, clock, frames } = await open(symbols);
    await waitFor("the first 100 streams", () => sim.binanceStreams()[0]?.length === 100);
    clock.advance(250);
    await waitFor("the first SUBSCRIBE", () => sim.binanceStreams()[0]?.length === 300);
    clock.advance(250);
    await waitFor("every stream subscribed", () => sim.binanceStreams()[0]?.length === 350);
    sim.tick();
    await waitFor("350 mini tickers", () => frames.length === 350);
  });
});
