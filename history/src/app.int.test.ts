import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import {
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

  const start = async () => {
    const config = loadHistoryConfig({ NATS_URL: server.url, HISTORY_PORT: "0" });
    history = await startHistory({ config, nc, logger: createLogger({ service: "history", level: "silent" }), metrics: createMetrics("history") });
    return history;
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
    await history?.close();
    history = undefined;
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

  it("catches up after downtime from its durable consumer, to the bucket of a run that never stopped", async () => {
    await start();
    const before = await publish("xlm", 0.45);
    await waitFor("the first tick", () => history!.window.lastSeq("xlm") === before.seq);
    await history!.close();
    history = undefined;

    const missed: SequencedTick[] = [];
    for (let i = 0; i < 5; i++) missed.push(await publish("xlm", 0.46 + i / 100));
    await start();
    await waitFor("the missed ticks", () => history!.window.lastSeq("xlm") === missed[4]!.seq);
    expect(await bucketHistory("xlm")).toEqual([before, ...missed]);
    const served = (await (await api("/api/history/xlm")).json()) as { ticks: SequencedTick[] };
    expect(served.ticks).toEqual([before, ...missed]);
  });
});
