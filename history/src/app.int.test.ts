import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
  PRICES_STREAM,
  PRICE_HISTORY_BUCKET,
  createLogger,
  createMetrics,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  tickMsgId,
  type NatsConnection,
  type SequencedTick,
  type Tick,
} from "@cryptostream/core";
import { startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHistory, type HistoryService } from "./app";
import { loadHistoryConfig } from "./config";

describe("history on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let history: HistoryService | undefined;
  let ts = 1_763_800_000_000;

  let historyNc: NatsConnection | undefined;
  /** Starts history on a connection of its own, as the service runs. */
  const start = async (env: Record<string, string> = {}) => {
    const config = loadHistoryConfig({ NATS_URL: server.url, HISTORY_PORT: "0", CANDLE_BACKFILL: "false", ...env });
    historyNc = await connect({ servers: server.url });
    history = await startHistory({ config, nc: historyNc, logger: createLogger({ service: "history", level: "silent" }), metrics: createMetrics("history") });
    return history;
  };
  const stop = async () => {
    await history?.close();
    await historyNc?.close();
    history = undefined;
  };
  const publish = async (symbol: string, price: number) => {
    const tick: Tick = { symbol, price, ts: ts++, source: "binance" };
    const ack = await js.publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    return { ...tick, seq: ack.seq };
  };
  const bucketHistory = async (symbol: string) => {
    const kv = await new Kvm(nc).open(PRICE_HISTORY_BUCKET);
    const values: SequencedTick[] = [];
    for await (const entry of await kv.history({ key: symbol })) values.push(entry.json<SequencedTick>());
    return values;
  };
  const api = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${history!.port}${path}`, { headers });

  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
  });
  afterEach(async () => {
    await stop();
    await nc.close();
    await server.cleanup();
  });

  it("keeps exactly the last 50 of 60 ticks, in order, in the bucket and in GET /api/history/:symbol", async () => {
    await start();
    const published: SequencedTick[] = [];
    for (let i = 0; i < 60; i++) published.push(await publish("btc", 98_000 + i));
    const expected = published.slice(10);
    await waitFor("the 60th tick in the window", () => history!.recent.lastSeq("btc") === published[59]!.seq);

    expect(await bucketHistory("btc")).toEqual(expected);
    const response = await api("/api/history/btc");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ symbol: "btc", ticks: expected });

    const etag = response.headers.get("etag")!;
    expect((await api("/api/history/btc", { "if-none-match": etag })).status).toBe(304);
    await publish("btc", 99_000);
    await waitFor("one more tick", () => history!.recent.lastSeq("btc") > published[59]!.seq);
    expect((await api("/api/history/btc", { "if-none-match": etag })).status).toBe(200);
  });

  it("answers an unknown symbol with 404 and a malformed one with 400, as JSON errors", async () => {
    await start();
    const eth = await publish("eth", 3_400);
    await waitFor("eth in the window", () => history!.recent.lastSeq("eth") === eth.seq);

    const unknown = await api("/api/history/doge");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "unknown_symbol", message: 'no ticks kept for "doge"' } });
    const malformed = await api("/api/history/BTC!");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "invalid_symbol" } });

    const symbols = await (await api("/api/symbols")).json();
    expect(symbols).toEqual({ symbols: [{ symbol: "eth", latest: eth, changes: {} }] });
  });

  it("does not keep a tick twice when it is redelivered after a crash between write and ack", async () => {
    const first = await publish("sol", 240);
    const second = await publish("sol", 241);
    // The previous run wrote `first` and died before acking it.
    const kv = await ensurePriceHistoryBucket(nc);
    await kv.put("sol", JSON.stringify(first));

    await start();
    await waitFor("the second tick", () => history!.recent.lastSeq("sol") === second.seq);
    expect(await bucketHistory("sol")).toEqual([first, second]);
  });

  it("writes in order, without waiting for ack_wait, the ticks a dead run was holding unacked", async () => {
    await start();
    const written = await publish("ada", 0.7);
    await waitFor("the first tick", () => history!.recent.lastSeq("ada") === written.seq);
    await stop();
    const held = [await publish("ada", 0.71), await publish("ada", 0.72)];
    // The previous run took these two from the durable consumer and died before writing them.
    const consumer = await js.consumers.get(PRICES_STREAM, loadHistoryConfig({}).HISTORY_DURABLE);
    const taken = await consumer.fetch({ max_messages: 2, expires: 2_000 });
    for await (const message of taken) expect(message.seq).toBeLessThanOrEqual(held[1]!.seq);
    const after = await publish("ada", 0.73);

    await start();
    await waitFor("every tick in the window", () => history!.recent.lastSeq("ada") === after.seq);
    expect(await bucketHistory("ada")).toEqual([written, ...held, after]);
  });

  it("notices ticks delivered but never seen (lost in transit) and consumes again from the first of them", async () => {
    await start();
    const first = await publish("dot", 4.1);
    await waitFor("the first tick", () => history!.recent.lastSeq("dot") === first.seq);
    await stop();
    // A second puller on the same durable consumer, first in line, takes the next three ticks
    // and never acks them: what the running writer sees when they are lost on the way.
    const durable = await js.consumers.get(PRICES_STREAM, loadHistoryConfig({}).HISTORY_DURABLE);
    const stolenSeqs: number[] = [];
    // The server shares the ticks between the waiting pull requests; the writer deletes the
    // consumer under the thief once it notices, which ends the thief's fetch with an error.
    const stealing = (async () => {
      for await (const message of await durable.fetch({ max_messages: 3, expires: 5_000 })) stolenSeqs.push(message.seq);
    })().catch(() => undefined);
    await waitFor("the pull request to wait at the server", async () => (await durable.info()).num_waiting === 1);
    await start();
    const lost = [await publish("dot", 4.2), await publish("dot", 4.3), await publish("dot", 4.4)];
    await stealing;
    expect(stolenSeqs.length).toBeGreaterThan(0);
    const later = await publish("dot", 4.5);

    await waitFor("the later tick", () => history!.recent.lastSeq("dot") === later.seq);
    expect(await bucketHistory("dot")).toEqual([first, ...lost, later]);
  });

  it("makes a durable consumer left filtered on prices.> by an earlier version again without the filter, losing nothing", async () => {
    const durable = loadHistoryConfig({}).HISTORY_DURABLE;
    const ticks = [await publish("ltc", 80), await publish("ltc", 81)];
    await (await jetstreamManager(nc)).consumers.add(PRICES_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: "prices.>" });
    await start();
    ticks.push(await publish("ltc", 82));
    await waitFor("every tick in the window", () => history!.recent.lastSeq("ltc") === ticks[2]!.seq);
    expect(await bucketHistory("ltc")).toEqual(ticks);
    expect((await (await jetstreamManager(nc)).consumers.info(PRICES_STREAM, durable)).config.filter_subject ?? "").toBe("");
  });

  it("catches up after downtime from its durable consumer, to the bucket of a run that never stopped", async () => {
    await start();
    const before = await publish("xlm", 0.45);
    await waitFor("the first tick", () => history!.recent.lastSeq("xlm") === before.seq);
    await stop();

    const missed: SequencedTick[] = [];
    for (let i = 0; i < 5; i++) missed.push(await publish("xlm", 0.46 + i / 100));
    await start();
    await waitFor("the missed ticks", () => history!.recent.lastSeq("xlm") === missed[4]!.seq);
    expect(await bucketHistory("xlm")).toEqual([before, ...missed]);
    const served = (await (await api("/api/history/xlm")).json()) as { ticks: SequencedTick[] };
    expect(served.ticks).toEqual([before, ...missed]);
  });

  it("notices its durable consumer was deleted: /healthz says 503 until it is made again from the first tick not written, with no hole", async () => {
    await start();
    const published: SequencedTick[] = [];
    for (let i = 0; i < 10; i++) published.push(await publish("btc", 100 + i));
    await waitFor("the 10th tick written", () => history!.recent.lastSeq("btc") === published[9]!.seq);
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(PRICES_STREAM, "history");
    const health = await api("/healthz");
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, consumer: { error: expect.stringContaining("history") } });
    // Ticks stored while it is gone are written once it is back, in order.
    for (let i = 10; i < 20; i++) published.push(await publish("btc", 100 + i));
    await waitFor("the consumer made again", async () => (await api("/healthz")).status === 200, 20_000);
    await waitFor("the 20th tick written", () => history!.recent.lastSeq("btc") === published[19]!.seq, 20_000);
    expect(await bucketHistory("btc")).toEqual(published);
    const metrics = await (await api("/metrics")).text();
    expect(metrics).toMatch(/cryptostream_history_consumer_lost_total\{[^}]*\} 1\n/);
  }, 40_000);

  it("bounds /api/ticks: 429 past the per-address limit, and a reader that takes nothing is cut off after SEND_TIMEOUT with its consumer gone", async () => {
    // Some 12 MB of ticks, more than loopback's socket buffers hold for a reader that takes nothing.
    const TICKS = 60_000;
    for (let i = 0; i < TICKS; i++) {
      const symbol = `symbol${String(i % 5).padStart(14, "0")}`;
      nc.publish(
        `prices.${symbol}`,
        JSON.stringify({ symbol, price: 1 + i, ts: ts++, source: "a-source-name-of-thirty-two-char", change24h: -1.2345678, volume24h: 123456789.12345 }),
      );
    }
    await nc.flush();
    const jsm = await jetstreamManager(nc);
    await waitFor("the ticks stored", async () => (await jsm.streams.info(PRICES_STREAM)).state.messages === TICKS);
    await start({ WINDOW_READS_PER_IP: "2", SEND_TIMEOUT: "1s" });
    // The window reads' consumers are the push ones: the instance's own (its durable, its candle fold's, made
    // again after a reset) come and go beside them, so counting every consumer made this test flaky under load.
    const readers = async () =>
      (await jsm.consumers.list(PRICES_STREAM).next()).filter((info) => info.config.deliver_subject !== undefined).map((info) => info.name);
    const idle = await readers();
    // Two readers that send the request and never read a byte.
    const stalled = await Promise.all([0, 1].map(() => stalledReader(history!.port, "/api/ticks?since=1h&limit=100000")));
    const windowReads = async () => ((await (await api("/healthz")).json()) as { windowReads: { active: number } }).windowReads.active;
    // Counted by the instance: its candle fold's own catch-up read (a push consumer too) may come or go meanwhile.
    await waitFor("both reads running", async () => (await windowReads()) === 2);
    const theirs = (await readers()).filter((name) => !idle.includes(name));
    const third = await api("/api/ticks?since=1h&limit=10");
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(await third.json()).toMatchObject({ error: { code: "busy", message: expect.stringContaining("per client") } });
    await waitFor("the stalled readers cut off and their reads ended", async () => (await windowReads()) === 0, 10_000);
    await waitFor(
      "their consumers deleted",
      async () => {
        const now = await readers();
        return theirs.every((name) => !now.includes(name));
      },
      10_000,
    );
    // What reached them is short of the whole window: the server gave up on them.
    for (const reader of stalled) expect(await reader.drain()).toBeLessThan(TICKS);
    expect((await api("/api/ticks?since=1h&limit=10")).status).toBe(200);
  }, 60_000);
});

/**
 * A client that sends a request and reads nothing of the answer, so its socket's receive window
 * fills and stays full; `drain` reads what did arrive and resolves with the number of lines.
 */
async function stalledReader(port: number, path: string): Promise<{ drain(): Promise<number> }> {
  const { connect: tcpConnect } = await import("node:net");
  const socket = tcpConnect({ port, host: "127.0.0.1" });
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
  let lines: Promise<number> | undefined;
  return {
    drain() {
      lines ??= new Promise((resolve) => {
        let count = 0;
        socket.on("data", (chunk: Buffer) => {
          for (const byte of chunk) if (byte === 10) count++;
        });
        socket.once("close", () => resolve(count));
        socket.resume();
      });
      return lines;
    },
  };
}
