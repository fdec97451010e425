import { get } from "node:http";
import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  CANDLES_STREAM,
  CandleAggregator,
  candlesStreamConfig,
  createLogger,
  createMetrics,
  decodeCandle,
  ensurePricesStream,
  tickMsgId,
  type Candle,
  type NatsConnection,
  type SequencedTick,
  type Tick,
} from "@cryptostream/core";
import { readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHistory, type HistoryService } from "../app";
import { loadHistoryConfig } from "../config";

const MINUTE = 60_000;

/** A GET that asks for no compression (Node's fetch always takes gzip). */
function plainGet(url: string): Promise<{ body: string; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ body, encoding: response.headers["content-encoding"] }));
    }).on("error", reject);
  });
}

describe("candles on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let history: HistoryService | undefined;
  let historyNc: NatsConnection | undefined;
  const published: SequencedTick[] = [];
  // Three hours ago, on a UTC hour: every bar of the test lies in the past.
  const start = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000;

  const startService = async () => {
    const config = loadHistoryConfig({ NATS_URL: server.url, HISTORY_PORT: "0", CANDLE_BACKFILL: "false" });
    historyNc = await connect({ servers: server.url });
    history = await startHistory({ config, nc: historyNc, logger: createLogger({ service: "history", level: "silent" }), metrics: createMetrics("history") });
  };
  const stopService = async () => {
    await history?.close();
    await historyNc?.close();
    history = undefined;
  };
  const publish = async (symbol: string, ts: number, price: number) => {
    const tick: Tick = { symbol, price, ts, source: "binance" };
    const ack = await js.publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    published.push({ ...tick, seq: ack.seq });
  };
  /** Ticks of btc and eth every 7 s over `minutes`, from `from`. */
  const publishMinutes = async (from: number, minutes: number) => {
    for (let ts = from; ts < from + minutes * MINUTE; ts += 7_000) {
      await publish("btc", ts, 100_000 + Math.round(Math.sin(ts / 50_000) * 500));
      await publish("eth", ts + 1, 3_000 + Math.round(Math.cos(ts / 40_000) * 30));
    }
  };
  const stored = async (): Promise<{ subject: string; candle: Candle }[]> =>
    (await readStream(nc, CANDLES_STREAM)).map((m) => {
      const result = decodeCandle(m.data);
      if (!result.ok) throw new Error(`not a candle at seq ${m.seq}: ${result.message}`);
      return { subject: m.subject, candle: result.candle };
    });
  const recomputed = () => {
    const aggregator = new CandleAggregator();
    return published.flatMap((tick) => aggregator.add(tick));
  };
  const api = (path: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${history!.port}${path}`, { headers });

  beforeEach(async () => {
    published.length = 0;
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
  });
  afterEach(async () => {
    await stopService();
    await nc.close();
    await server.cleanup();
  });

  it("publishes every closed candle once, on candles.<interval>.<symbol>, equal to a recomputation from PRICES, through restarts", async () => {
    // The shortest duplicate window, 100 ms: the writer's own rule, not nats-server's dedup, must keep a candle from being written twice.
    await (await jetstreamManager(nc)).streams.add({ ...candlesStreamConfig(), duplicate_window: 100_000_000 });
    await publishMinutes(start, 4);
    await startService();
    const expectedSoFar = recomputed();
    expect(expectedSoFar.length).toBeGreaterThan(5);
    await waitFor("the closed candles in CANDLES", async () => (await stored()).length === expectedSoFar.length);

    // Stopped between bars, ticks arrive while it is down, and it starts again: it takes up where CANDLES ends.
    await stopService();
    await publishMinutes(start + 4 * MINUTE, 63);
    await startService();
    await stopService();
    await startService();
    await publishMinutes(start + 67 * MINUTE, 3);
    const expected = recomputed();
    expect(expected.filter((c) => c.interval === "1h")).toHaveLength(2);
    await waitFor("every closed candle in CANDLES", async () => (await stored()).length >= expected.length, 20_000);
    const candles = await stored();
    // Subjects are written side by side, each in order: compare by subject and bar.
    const bySubjectAndBar = (a: Candle, b: Candle) => a.interval.localeCompare(b.interval) || a.symbol.localeCompare(b.symbol) || a.openTime - b.openTime;
    expect(candles.map((c) => c.candle).sort(bySubjectAndBar)).toEqual([...expected].sort(bySubjectAndBar));
    for (const subject of new Set(candles.map((c) => c.subject))) {
      const openTimes = candles.filter((c) => c.subject === subject).map((c) => c.candle.openTime);
      expect(openTimes).toEqual([...openTimes].sort((a, b) => a - b));
    }
    for (const { subject, candle } of candles) expect(subject).toBe(`candles.${candle.interval}.${candle.symbol}`);
    expect(history!.candles.size()).toBe(expected.length);
  }, 60_000);

  it("serves GET /api/candles/:symbol from memory: closed bars of the range and the one forming, with an ETag, and errors like the rest of the API", async () => {
    await publishMinutes(start, 10);
    await startService();
    const expected = recomputed().filter((c) => c.symbol === "btc" && c.interval === "1m");
    await waitFor("btc's 1m candles in memory", () => history!.candles.range("1m", "btc", 0, Date.now(), 100).candles.length === expected.length);

    const response = await api(`/api/candles/btc?interval=1m&since=${start + 2 * MINUTE}&until=${start + 5 * MINUTE}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { symbol: string; interval: string; candles: Candle[]; forming: Candle | null };
    expect(body.candles).toEqual(expected.filter((c) => c.openTime >= start + 2 * MINUTE && c.openTime <= start + 5 * MINUTE));
    expect(body.forming).toBeNull();
    const latest = (await (await api("/api/candles/btc?interval=1m&since=24h")).json()) as { candles: Candle[]; forming: Candle };
    expect(latest.candles).toEqual(expected);
    expect(latest.forming).toMatchObject({ symbol: "btc", interval: "1m", openTime: start + 9 * MINUTE, source: "ticks" });
    const limited = (await (await api("/api/candles/btc?interval=1m&since=24h&limit=3")).json()) as { candles: Candle[]; forming: Candle | null };
    expect(limited.candles).toEqual(expected.slice(-3));

    // Compressed for a client that takes gzip (fetch asks for it), the same JSON plain for one that does not.
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const plain = await plainGet(`http://127.0.0.1:${history!.port}/api/candles/btc?interval=1m&since=${start + 2 * MINUTE}&until=${start + 5 * MINUTE}`);
    expect(plain.encoding).toBeUndefined();
    expect(JSON.parse(plain.body)).toEqual(body);
    const etag = response.headers.get("etag")!;
    expect((await api(`/api/candles/btc?interval=1m&since=${start + 2 * MINUTE}&until=${start + 5 * MINUTE}`, { "if-none-match": etag })).status).toBe(304);
    const before = (await api("/api/candles/btc?interval=1m&since=24h")).headers.get("etag");
    await publish("btc", start + 9 * MINUTE + 30_000, 1);
    await waitFor("the forming candle to change the ETag", async () => (await api("/api/candles/btc?interval=1m&since=24h")).headers.get("etag") !== before);

    const refusals: [string, number, string][] = [
      ["/api/candles/btc?interval=2m", 400, "invalid_interval"],
      ["/api/candles/btc?since=yesterday", 400, "invalid_since"],
      ["/api/candles/btc?until=soon", 400, "invalid_until"],
      ["/api/candles/btc?limit=0", 400, "invalid_limit"],
      ["/api/candles/btc?intervals=1m", 400, "unknown_parameter"],
      ["/api/candles/BTC", 400, "invalid_symbol"],
      ["/api/candles/%FF", 400, "invalid_symbol"],
      ["/api/candles/btc?interval=1m&interval=1d", 400, "repeated_parameter"],
      ["/api/candles/btc?since=%205m", 400, "invalid_since"],
      ["/api/candles/doge", 404, "unknown_symbol"],
    ];
    for (const [path, status, code] of refusals) {
      const refused = await api(path);
      expect([path, refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([path, status, code]);
    }
  }, 60_000);

  it("gives each symbol's 1h change in GET /api/symbols from its candles", async () => {
    await publishMinutes(start, 70);
    await startService();
    const lastBtc = published.filter((t) => t.symbol === "btc").at(-1)!;
    await waitFor("btc's 1m candles in memory", () => history!.candles.range("1m", "btc", 0, Date.now(), 100).candles.length >= 65);
    await waitFor("btc's last tick in the window", () => history!.recent.lastSeq("btc") === lastBtc.seq);
    const body = (await (await api("/api/symbols")).json()) as { symbols: { symbol: string; latest: SequencedTick; changes: Record<string, number> }[] };
    const btc = body.symbols.find((s) => s.symbol === "btc")!;
    const hourBefore = recomputed()
      .filter((c) => c.symbol === "btc" && c.interval === "1m" && c.openTime + MINUTE <= btc.latest.ts - 3_600_000)
      .at(-1)!;
    expect(btc.changes["1h"]).toBeCloseTo((btc.latest.price / hourBefore.close - 1) * 100, 10);
    expect(btc.changes["7d"]).toBeUndefined();
  }, 60_000);
});
