import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  CANDLE_INTERVALS,
  CANDLES_STREAM,
  candleMsgId,
  candleOpenTime,
  createLogger,
  createMetrics,
  decodeCandle,
  ensurePricesStream,
  tickMsgId,
  type NatsConnection,
  type Tick,
} from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { readStream, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHistory, type HistoryService } from "../../app";
import { BACKFILL_DEPTH_MS } from "./candle-backfill";
import { loadHistoryConfig } from "../../config";

describe("candle backfill from the simulated exchange's Binance klines and CoinGecko OHLC", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let sim: SimExchange;
  let history: HistoryService | undefined;
  let historyNc: NatsConnection | undefined;

  const startService = async () => {
    const config = loadHistoryConfig({
      NATS_URL: server.url,
      HISTORY_PORT: "0",
      BINANCE_REST_URL: sim.binanceRestUrl,
      COINGECKO_API_URL: sim.coingeckoApiUrl,
      // xyz: CoinGecko knows it, Binance does not list it.
      ASSETS: "xyz=xyz/",
    });
    historyNc = await connect({ servers: server.url });
    history = await startHistory({ config, nc: historyNc, logger: createLogger({ service: "history", level: "silent" }), metrics: createMetrics("history") });
  };
  const stopService = async () => {
    await history?.close();
    await historyNc?.close();
    history = undefined;
  };
  /** The simulated exchange's current price of `symbol`, published as a tick, as ingest would. */
  const publishLive = async (symbol: string) => {
    sim.tick();
    const coin = sim.market.coins.get(symbol)!;
    const tick: Tick = { symbol, price: coin.price, ts: coin.updatedAt, source: "binance" };
    await jetstream(nc).publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    return tick;
  };
  const stored = async () =>
    (await readStream(nc, CANDLES_STREAM)).flatMap((m) => {
      const decoded = decodeCandle(m.data);
      return decoded.ok ? [decoded.candle] : [];
    });
  const backfillDone = () =>
    waitFor(
      "the backfill to finish",
      async () =>
        ((await (await fetch(`http://127.0.0.1:${history!.port}/healthz`)).json()) as { candles: { backfillPending: number } }).candles.backfillPending === 0,
      60_000,
    );

  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc", "xyz"], binanceUnlisted: ["xyz"], seed: 11 });
  });
  afterEach(async () => {
    await stopService();
    await nc.close();
    await sim.close();
    await server.cleanup();
  });

  it("fills each interval's past up to the first tick's bar, paged and within the limits, meeting the live price without a jump, once", async () => {
    const first = await publishLive("btc");
    await startService();
    await backfillDone();
    const candles = (await stored()).filter((c) => c.symbol === "btc");
    for (const interval of Object.keys(CANDLE_INTERVALS) as (keyof typeof CANDLE_INTERVALS)[]) {
      const ofInterval = candles.filter((c) => c.interval === interval);
      const firstBar = candleOpenTime(first.ts, interval);
      const earliest = candleOpenTime(Date.now() - BACKFILL_DEPTH_MS[interval], interval);
      expect(ofInterval.length).toBeGreaterThanOrEqual((firstBar - earliest) / CANDLE_INTERVALS[interval] - 1);
      expect(ofInterval.every((c) => c.source === "binance" && c.openTime < firstBar && c.openTime >= earliest - CANDLE_INTERVALS[interval])).toBe(true);
      for (let i = 1; i < ofInterval.length; i++) expect(ofInterval[i]!.openTime - ofInterval[i - 1]!.openTime).toBe(CANDLE_INTERVALS[interval]);
    }
    // The last backfilled minute closes where the live price starts.
    const lastMinute = candles.filter((c) => c.interval === "1m").at(-1)!;
    expect(Math.abs(first.price / lastMinute.close - 1)).toBeLessThan(0.002);
    // 5m over 7 days is 2,016 bars: three pages of at most 1,000.
    const requests = sim.binanceRestRequests;
    expect(requests.filter((r) => r.url.includes("interval=5m")).length).toBe(3);
    expect(requests.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...requests.map((r) => r.usedWeight))).toBeLessThanOrEqual(6_000 / 2);
    const ids = candles.map(candleMsgId);
    expect(new Set(ids).size).toBe(ids.length);

    // Restarted, it backfills nothing again and doubles nothing.
    const asked = requests.length;
    await stopService();
    await startService();
    await publishLive("btc");
    await backfillDone();
    expect(requests.length).toBe(asked);
    const again = (await stored()).filter((c) => c.symbol === "btc");
    // The second tick may start a new minute and so close a candle from ticks; nothing is backfilled again or doubled.
    expect(again.filter((c) => c.source === "binance")).toEqual(candles);
    expect(new Set(again.map(candleMsgId)).size).toBe(again.length);
  }, 90_000);

  it("waits out a 429's Retry-After, and takes a coin Binance does not list from CoinGecko: hours and days", async () => {
    sim.misbehaveBinanceRest({ status: 429, retryAfterSeconds: 1 });
    await publishLive("btc");
    await publishLive("xyz");
    await startService();
    await backfillDone();
    const [refused, retried] = [sim.binanceRestRequests[0]!, sim.binanceRestRequests[1]!];
    expect(refused.status).toBe(429);
    expect(retried.url).toBe(refused.url);
    expect(retried.at - refused.at).toBeGreaterThanOrEqual(1_000);
    expect(retried.status).toBe(200);
    const xyz = (await stored()).filter((c) => c.symbol === "xyz");
    expect(new Set(xyz.map((c) => c.interval))).toEqual(new Set(["1h", "1d"]));
    expect(xyz.every((c) => c.source === "coingecko")).toBe(true);
    expect(xyz.filter((c) => c.interval === "1d").length).toBeGreaterThanOrEqual(28);
    const hours = xyz.filter((c) => c.interval === "1h");
    expect(hours.length).toBeGreaterThanOrEqual(20);
    expect(sim.binanceRestRequests.some((r) => r.url.includes("XYZUSDT"))).toBe(false);
  }, 90_000);
});
