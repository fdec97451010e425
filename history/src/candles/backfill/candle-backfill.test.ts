import { createLogger, type AssetMapping, type Candle, type CandleInterval } from "@cryptostream/core";
import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { CandleStore } from "../candle-store";
import { CandleBackfill } from "./candle-backfill";
import type { CandleHistorySource } from "./exchange-history";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

/** A venue's past in memory: a bar of every interval at every boundary, its close its open time. */
class RecordingSource implements CandleHistorySource {
  readonly name = "binance";
  readonly intervals: readonly CandleInterval[] = ["1h"];
  readonly asked: { interval: CandleInterval; from: number; to: number }[] = [];

  lists(asset: AssetMapping): boolean {
    return asset.binancePair !== undefined;
  }

  async candles(asset: AssetMapping, interval: CandleInterval, from: number, to: number): Promise<Candle[]> {
    this.asked.push({ interval, from, to });
    const candles: Candle[] = [];
    for (let t = from; t < to; t += HOUR)
      candles.push({ symbol: asset.symbol, interval, openTime: t, open: 1, high: 1, low: 1, close: 1, ticks: 0, firstSeq: 0, lastSeq: 0, source: "binance" });
    return candles;
  }
}

describe("CandleBackfill", () => {
  const setUp = () => {
    const store = new CandleStore();
    const source = new RecordingSource();
    const published: Candle[] = [];
    const backfill = new CandleBackfill({
      store,
      sources: [source],
      assets: [{ symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin", binancePair: "btcusdt" }],
      publish: async (candle) => {
        published.push(candle);
        store.put(candle);
        return true;
      },
      clock: new FakeClock(NOW),
      logger: createLogger({ service: "test", level: "silent" }),
    });
    return { store, source, published, backfill };
  };

  it("after downtime longer than PRICES keeps, fills only the hole between the last stored candle and the first tick's bar", async () => {
    const { store, source, published, backfill } = setUp();
    const lastStored: Candle = {
      symbol: "btc",
      interval: "1h",
      openTime: NOW - 72 * HOUR,
      open: 5,
      high: 5,
      low: 5,
      close: 5,
      ticks: 9,
      firstSeq: 1,
      lastSeq: 9,
      source: "ticks",
    };
    store.put(lastStored);
    backfill.request("btc", NOW - 24 * HOUR + 1_234);
    backfill.request("btc", NOW - 24 * HOUR + 1_234);
    await backfill.idle();
    expect(source.asked).toEqual([{ interval: "1h", from: NOW - 71 * HOUR, to: NOW - 24 * HOUR }]);
    expect(published).toHaveLength(47);
    expect(store.last("1h", "btc")?.openTime).toBe(NOW - 25 * HOUR);
  });

  it("asks nothing when the candles before the first tick are stored, and never replaces one from ticks", async () => {
    const { store, source, backfill } = setUp();
    store.put({ symbol: "btc", interval: "1h", openTime: NOW - HOUR, open: 5, high: 5, low: 5, close: 5, ticks: 9, firstSeq: 1, lastSeq: 9, source: "ticks" });
    backfill.request("btc", NOW + 60_000);
    await backfill.idle();
    expect(source.asked).toEqual([]);
    expect(store.put({ ...store.last("1h", "btc")!, source: "binance", close: 7 })).toBe(false);
  });
});
