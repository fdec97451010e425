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
  const start = async () => {
    const config = loadHistoryConfig({ NATS_URL: server.url, HISTORY_PORT: "0" });
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
    await waitFor("the 60th tick in the window", () => history!.window.lastSeq("btc") === published[59]!.seq);

    expect(await bucketHistory("btc")).toEqual(expected);
    const response = await api("/api/history/btc");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ symbol: "btc", ticks: expected });

    const etag = response.headers.get("etag")!;
    expect((await api("/api/history/btc", { "if-none-match": etag })).status).toBe(304);
    await publish("btc", 99_000);
    await waitFor("one more tick", () => history!.window.lastSeq("btc") > published[59]!.seq);
    expect((await api("/api/history/btc", { "if-none-match": etag })).status).toBe(200);
  });

  it("answers an unknown symbol with 404 and a malformed one with 400, as JSON errors", async () => {
    await start();
    const eth = await publish("eth", 3_400);
    await waitFor("eth in the window", () => history!.window.lastSeq("eth") === eth.seq);

    const unknown = await api("/api/history/doge");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "unknown_symbol", message: 'no ticks kept for "doge"' } });
    const malformed = await api("/api/history/BTC!");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "invalid_symbol" } });

    const symbols = await (await api("/api/symbols")).json();
    expect(symbols).toEqual({ symbols: [{ symbol: "eth", latest: eth }] });
  });

  it("does not keep a tick twice when it is redelivered after a crash between write and ack", async () => {
    const first = await publish("sol", 240);
    const second = await publish("sol", 241);
    // The previous run wrote `first` and died before acking it.
    const kv = await ensurePriceHistoryBucket(nc);
    await kv.put("sol", JSON.stringify(first));

    await start();
    await waitFor("the second tick", () => history!.window.lastSeq("sol") === second.seq);
    expect(await bucketHistory("sol")).toEqual([first, second]);
  });

  it("writes in order, without waiting for ack_wait, the ticks a dead run was holding unacked", async () => {
    await start();
    const written = await publish("ada", 0.7);
    await waitFor("the first tick", () => history!.window.lastSeq("ada") === written.seq);
    await stop();
    const held = [await publish("ada", 0.71), await publish("ada", 0.72)];
    // The previous run took these two from the durable consumer and died before writing them.
    const consumer = await js.consumers.get(PRICES_STREAM, loadHistoryConfig({}).HISTORY_DURABLE);
    const taken = await consumer.fetch({ max_messages: 2, expires: 2_000 });
    for await (const message of taken) expect(message.seq).toBeLessThanOrEqual(held[1]!.seq);
    const after = await publish("ada", 0.73);

    await start();
    await waitFor("every tick in the window", () => history!.window.lastSeq("ada") === after.seq);
    expect(await bucketHistory("ada")).toEqual([written, ...held, after]);
  });

  it("notices ticks delivered but never seen (lost in transit) and consumes again from the first of them", async () => {
    await start();
    const first = await publish("dot", 4.1);
    await waitFor("the first tick", () => history!.window.lastSeq("dot") === first.seq);
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

    await waitFor("the later tick", () => history!.window.lastSeq("dot") === later.seq);
    expect(await bucketHistory("dot")).toEqual([first, ...lost, later]);
  });

  it("makes a durable consumer left filtered on prices.> by an earlier version again without the filter, losing nothing", async () => {
    const durable = loadHistoryConfig({}).HISTORY_DURABLE;
    const ticks = [await publish("ltc", 80), await publish("ltc", 81)];
    await (await jetstreamManager(nc)).consumers.add(PRICES_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: "prices.>" });
    await start();
    ticks.push(await publish("ltc", 82));
    await waitFor("every tick in the window", () => history!.window.lastSeq("ltc") === ticks[2]!.seq);
    expect(await bucketHistory("ltc")).toEqual(ticks);
    expect((await (await jetstreamManager(nc)).consumers.info(PRICES_STREAM, durable)).config.filter_subject ?? "").toBe("");
  });

  it("catches up after downtime from its durable consumer, to the bucket of a run that never stopped", async () => {
    await start();
    const before = await publish("xlm", 0.45);
    await waitFor("the first tick", () => history!.window.lastSeq("xlm") === before.seq);
    await stop();

    const missed: SequencedTick[] = [];
    for (let i = 0; i < 5; i++) missed.push(await publish("xlm", 0.46 + i / 100));
    await start();
    await waitFor("the missed ticks", () => history!.window.lastSeq("xlm") === missed[4]!.seq);
    expect(await bucketHistory("xlm")).toEqual([before, ...missed]);
    const served = (await (await api("/api/history/xlm")).json()) as { ticks: SequencedTick[] };
    expect(served.ticks).toEqual([before, ...missed]);
  });
});
