import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PRICES_STREAM, createLogger, ensurePricesStream, type NatsConnection, type Tick } from "@cryptostream/core";
import { startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TickPublisher } from "./publisher";

describe("TickPublisher on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.cleanup();
  });

  it("gets every tick into the stream exactly once, in order, across a nats-server crash", async () => {
    let retried = 0;
    const publisher = new TickPublisher({
      nc,
      logger: createLogger({ service: "ingest", level: "silent" }),
      onRetry: () => retried++,
    });
    const ticks: Tick[] = Array.from({ length: 3_000 }, (_, i) => ({
      symbol: "btc",
      price: 98_000 + i,
      ts: 1_763_800_000_000 + i,
      source: "binance",
    }));
    ticks.slice(0, 1_500).forEach((tick) => publisher.publish(tick));
    await server.stop({ hard: true });
    ticks.slice(1_500).forEach((tick) => publisher.publish(tick));
    await server.restart();
    await publisher.flush();
    publisher.close();

    expect(retried).toBeGreaterThan(0);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(PRICES_STREAM);
    expect(info.state.messages).toBe(3_000);
    const stored: number[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(PRICES_STREAM, { seq });
      stored.push(message!.json<Tick>().ts);
    }
    expect(stored).toEqual(ticks.map((tick) => tick.ts));
  }, 60_000);

  it("keeps a bounded queue while NATS is away, drops the oldest when full and counts them, then publishes the rest in order", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(PRICES_STREAM);
    const dropped: Tick[] = [];
    const publisher = new TickPublisher({
      nc,
      logger: createLogger({ service: "ingest", level: "silent" }),
      maxInFlight: 4,
      maxQueued: 10,
      ackTimeoutMs: 1_000,
      onDropped: (tick) => dropped.push(tick),
    });
    const ticks: Tick[] = Array.from({ length: 50 }, (_, i) => ({ symbol: "eth", price: 3_000 + i, ts: 1_763_900_000_000 + i, source: "binance" }));
    await server.stop({ hard: true });
    ticks.forEach((tick) => publisher.publish(tick));
    expect(dropped).toEqual(ticks.slice(4, 40));
    await server.restart();
    await publisher.flush();
    publisher.close();

    const info = await jsm.streams.info(PRICES_STREAM);
    const stored: number[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      stored.push((await jsm.streams.getMessage(PRICES_STREAM, { seq }))!.json<Tick>().price);
    }
    expect(stored).toEqual([...ticks.slice(0, 4), ...ticks.slice(40)].map((t) => t.price));
  }, 30_000);
});
