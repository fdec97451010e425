import { createLogger } from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { waitFor } from "@cryptostream/testing";
import { afterEach, describe, expect, it } from "vitest";
import { BinanceFeed, type BinanceFeedOptions } from "./binance-feed";

const logger = createLogger({ service: "ingest", level: "silent" });

describe("BinanceFeed against the simulated exchange", () => {
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
    const frames: { stream: string; data: { E: number } }[] = [];
    const disconnects: string[] = [];
    const started = sim;
    feed = new BinanceFeed({
      baseUrl: started.binanceWsUrl,
      pairs: symbols.map((s) => `${s}usdt`),
      logger,
      staleAfterMs: 10_000,
      backoff: { baseMs: 10, maxMs: 50 },
      onFrame: (text) => {
        const message = JSON.parse(text);
        if (message.stream) frames.push(message);
      },
      onDisconnect: (reason) => disconnects.push(reason),
      ...options,
    });
    feed.start();
    await waitFor("the feed to connect", () => started.binanceClientCount() === 1);
    return { sim: started, feed, frames, disconnects };
  }

  const ticksArrive = async (sim: SimExchange, frames: unknown[]) => {
    const before = frames.length;
    sim.tick();
    await waitFor("the next mini tickers", () => frames.length > before);
  };

  it.each([
    ["close", "closed"],
    ["destroy", "closed_abnormally"],
  ] as const)("reconnects after the exchange's %s, reports it as %s, and goes on receiving", async (how, reason) => {
    const { sim, frames, disconnects } = await open(["btc", "eth"]);
    await ticksArrive(sim, frames);
    sim.dropBinanceClients(how);
    await waitFor("a second connection", () => sim.binanceConnectionsAccepted() === 2 && sim.binanceClientCount() === 1);
    await ticksArrive(sim, frames);
    expect(disconnects).toEqual([reason]);
  });

  it("replaces a connection that has gone silent", async () => {
    const { sim, feed, disconnects } = await open(["btc"], { staleAfterMs: 200 });
    sim.setBinanceSilent(true);
    await waitFor("a reconnect after the silence", () => sim.binanceConnectionsAccepted() >= 2);
    expect(feed.status().errors).toBeGreaterThanOrEqual(1);
    expect(disconnects[0]).toBe("stale");
  });

  it("answers pings with pongs that echo the payload", async () => {
    const { sim } = await open(["btc"]);
    sim.pingBinanceClients("ping-1763800000000");
    await waitFor("the pong", () => sim.pongs.length === 1);
    expect(sim.pongs).toEqual(["ping-1763800000000"]);
  });

  it("switches to a new connection before the 24 h limit without missing an event", async () => {
    const { sim, frames } = await open(["btc"], { maxConnectionAgeMs: 150 });
    const emitted: number[] = [];
    for (let i = 0; i < 40 && sim.binanceConnectionsAccepted() < 2; i++) {
      sim.tick();
      emitted.push(sim.market.coins.get("btc")!.updatedAt);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sim.binanceConnectionsAccepted()).toBe(2);
    for (let i = 0; i < 10; i++) {
      sim.tick();
      emitted.push(sim.market.coins.get("btc")!.updatedAt);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor("the old connection to close", () => sim.binanceClientCount() === 1);
    await waitFor("every event", () => new Set(frames.map((f) => f.data.E)).size >= emitted.length);
    expect([...new Set(frames.map((f) => f.data.E))].sort((a, b) => a - b)).toEqual(emitted);
  });

  it("names the first 100 streams in the URL and subscribes the rest in batches", async () => {
    const symbols = Array.from({ length: 350 }, (_, i) => `c${i}`);
    const { sim, frames } = await open(symbols);
    await waitFor("every stream subscribed", () => sim.binanceStreams()[0]?.length === 350, 5_000);
    sim.tick();
    await waitFor("350 mini tickers", () => frames.length === 350);
  });
});
