import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  WindowReadSlots,
  closeServer,
  createHttpServer,
  createLogger,
  createMetrics,
  listen,
  type SymbolsResponse,
  ensureAssetsBucket,
  ensurePricesStream,
  tickMsgId,
  type NatsConnection,
  type SequencedTick,
  type Tick,
} from "@cryptostream/core";
import { FakeClock, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHistory, type HistoryService } from "../app";
import { AssetsCache } from "./assets-cache";
import { CandleStore } from "../candles/candle-store";
import { RecentTicks } from "../price-history/recent-ticks";
import { SYMBOLS_MAX_AGE_MS, historyRoutes } from "./routes";
import { loadHistoryConfig } from "../config";

const REFUSALS: [string, string][] = [
  ["since=yesterday", "invalid_since"],
  ["until=5m&since=1m", "invalid_until"],
  ["limit=1000000", "invalid_limit"],
  ["symbols=BTC", "invalid_symbols"],
  ["format=csv", "unknown_parameter"],
  ["since=1h&since=2h", "repeated_parameter"],
  ["symbols=btc&symbols=eth", "repeated_parameter"],
  ["since=%205m", "invalid_since"],
  ["since=5m%20", "invalid_since"],
  ["symbols=btc,%20eth", "invalid_symbols"],
  ["limit=%2010", "invalid_limit"],
];

describe("GET /api/ticks and /api/symbols on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let history: HistoryService;
  const published: SequencedTick[] = [];
  let boundary = 0;
  let ts = 1_763_800_000_000;

  const publish = async (symbol: string) => {
    const tick: Tick = { symbol, price: 100 + published.length, ts: ts++, source: "binance" };
    const ack = await js.publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    published.push({ ...tick, seq: ack.seq });
  };
  const get = (query: string, accept?: string) => fetch(`http://127.0.0.1:${history.port}/api/ticks?${query}`, accept ? { headers: { accept } } : {});
  const ndjson = async (query: string) => {
    const response = await get(query);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    const text = await response.text();
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SequencedTick);
  };
  const seqs = (ticks: SequencedTick[]) => ticks.map((t) => t.seq);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
    for (let i = 0; i < 30; i++) await publish(["btc", "eth", "sol"][i % 3]!);
    // Real time on either side of the boundary: `since` is matched against the time nats-server stored each tick.
    await sleep(20);
    boundary = Date.now();
    await sleep(20);
    for (let i = 0; i < 30; i++) await publish(["btc", "eth", "sol"][i % 3]!);
    const config = loadHistoryConfig({ NATS_URL: server.url, HISTORY_PORT: "0", CANDLE_BACKFILL: "false" });
    history = await startHistory({ config, nc, logger: createLogger({ service: "history", level: "silent" }), metrics: createMetrics("history") });
  });
  afterAll(async () => {
    await history?.close();
    await nc?.close();
    await server?.cleanup();
  });

  it("streams every kept tick of the window as NDJSON, in stream order", async () => {
    expect(await ndjson("since=1h")).toEqual(published);
  });

  it("answers a JSON array when the client asks for application/json", async () => {
    const response = await get("since=1h&symbols=eth", "application/json");
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual(published.filter((t) => t.symbol === "eth"));
  });

  it("selects symbols, since, until and limit", async () => {
    const before = published.slice(0, 30);
    const after = published.slice(30);
    expect(seqs(await ndjson(`since=1h&until=${boundary}`))).toEqual(seqs(before));
    expect(seqs(await ndjson(`since=${boundary}`))).toEqual(seqs(after));
    expect(seqs(await ndjson(`since=${new Date(boundary).toISOString()}&symbols=btc,sol`))).toEqual(seqs(after.filter((t) => t.symbol !== "eth")));
    expect(seqs(await ndjson("since=1h&symbols=sol&limit=4"))).toEqual(seqs(published.filter((t) => t.symbol === "sol").slice(0, 4)));
    expect(seqs(await ndjson("since=1h&limit=7"))).toEqual(seqs(published.slice(0, 7)));
    expect(await ndjson("since=1h&symbols=doge")).toEqual([]);
    expect(await ndjson("since=1ms")).toEqual([]);
    // ms since epoch, however short: 0 is the epoch itself.
    expect(seqs(await ndjson("since=0&limit=3"))).toEqual(seqs(published.slice(0, 3)));
  });

  it.each(REFUSALS)("refuses %s with 400 and a message", async (query, code) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it("counts bad requests by parameter in /metrics and reports the consumer's lag in /healthz", async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${history.port}/metrics`)).text();
    const sinceRefusals = REFUSALS.filter(([, code]) => code === "invalid_since").length;
    expect(metrics).toMatch(new RegExp(`cryptostream_history_bad_requests_total\\{parameter="since",service="history"\\} ${sinceRefusals}\n`));
    await waitFor("history to catch up", () => history.recent.lastSeq("sol") === published.at(-1)!.seq);
    const health = (await (await fetch(`http://127.0.0.1:${history.port}/healthz`)).json()) as { consumer: { pending: number } };
    expect(health).toMatchObject({ ok: true, consumer: { pending: 0, ackPending: 0 } });
  });

  it("adds each symbol's metadata from the assets bucket once ingest has written it", async () => {
    const kv = await ensureAssetsBucket(nc);
    const asset = { symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin", image: "https://example.test/btc.png", marketCapRank: 1 };
    await kv.put("btc", JSON.stringify(asset));
    await waitFor("btc metadata", async () => {
      const body = (await (await fetch(`http://127.0.0.1:${history.port}/api/symbols`)).json()) as { symbols: { symbol: string; asset?: object }[] };
      return body.symbols.find((s) => s.symbol === "btc")?.asset;
    });
    const body = (await (await fetch(`http://127.0.0.1:${history.port}/api/symbols`)).json()) as { symbols: { symbol: string; asset?: object }[] };
    expect(body.symbols.find((s) => s.symbol === "btc")?.asset).toEqual(asset);
    expect(body.symbols.find((s) => s.symbol === "eth")?.asset).toBeUndefined();
  });

  it("builds GET /api/symbols at most once a second, sending that answer (and 304 for its ETag) meanwhile", async () => {
    const recent = new RecentTicks();
    const clock = new FakeClock(1_763_800_000_000);
    const now = clock.now();
    const reads = {
      nc,
      slots: new WindowReadSlots({ maxConcurrent: 1, maxPerClient: 1, maxQueued: 1, maxWaitMs: 1_000 }),
      trustedProxies: { kind: "none" } as const,
      sendTimeoutMs: 1_000,
    };
    const routes = historyRoutes({ recent, assets: new AssetsCache(), candles: new CandleStore(), forming: () => undefined, reads, clock });
    const logger = createLogger({ service: "history", level: "silent" });
    const server = createHttpServer({ routes, registry: createMetrics("history").registry, logger, health: () => ({ ok: true }) });
    const port = await listen(server, 0, "127.0.0.1");
    const symbols = (headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}/api/symbols`, { headers });
    const latestSeq = async (response: Response) => ((await response.json()) as SymbolsResponse).symbols[0]?.latest.seq;
    try {
      recent.append({ symbol: "btc", price: 1, ts: now, source: "binance", seq: 1 });
      const first = await symbols();
      const etag = first.headers.get("etag")!;
      expect(await latestSeq(first)).toBe(1);
      recent.append({ symbol: "btc", price: 2, ts: now + 1, source: "binance", seq: 2 });
      clock.advance(SYMBOLS_MAX_AGE_MS - 1);
      const cached = await symbols();
      expect([cached.headers.get("etag"), await latestSeq(cached)]).toEqual([etag, 1]);
      expect((await symbols({ "if-none-match": etag })).status).toBe(304);
      clock.advance(1);
      const rebuilt = await symbols({ "if-none-match": etag });
      expect(rebuilt.status).toBe(200);
      expect(rebuilt.headers.get("etag")).not.toBe(etag);
      expect(await latestSeq(rebuilt)).toBe(2);
    } finally {
      await closeServer(server);
    }
  });
});
