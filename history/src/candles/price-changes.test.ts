import type { Candle, SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { CandleStore } from "./candle-store";
import { priceChanges } from "./price-changes";

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 30);
const minute = (openTime: number, close: number): Candle => ({
  symbol: "btc",
  interval: "1m",
  openTime,
  open: close,
  high: close,
  low: close,
  close,
  ticks: 1,
  firstSeq: 1,
  lastSeq: 1,
  source: "ticks",
});
const latest: SequencedTick = { symbol: "btc", price: 110, ts: NOW, source: "binance", seq: 99 };

describe("priceChanges", () => {
  it("measures each window against the close of the last bar that ended at its start, by the tick's own time", () => {
    const store = new CandleStore();
    const hourAgo = NOW - 3_600_000;
    store.put(minute(Math.floor(hourAgo / MINUTE) * MINUTE - MINUTE, 100));
    store.put(minute(Math.floor(hourAgo / MINUTE) * MINUTE, 200));
    const changes = priceChanges(latest, store);
    expect(Object.keys(changes)).toEqual(["1h"]);
    expect(changes["1h"]).toBeCloseTo(10, 10);
  });

  it("leaves out a window whose last bar before its start is far older: a gap, not the price an hour ago", () => {
    const store = new CandleStore();
    store.put(minute(Math.floor((NOW - 3 * 3_600_000) / MINUTE) * MINUTE, 50));
    expect(priceChanges(latest, store)).toEqual({});
  });
});
