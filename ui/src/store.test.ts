import type { SequencedTick } from "@cryptostream/core/contracts";
import { beforeEach, describe, expect, it } from "vitest";
import { mergeSeries } from "./series";
import { usePriceStore } from "./store";

const tick = (symbol: string, seq: number, price = seq): SequencedTick => ({ symbol, price, ts: 1_763_800_000_000 + seq, source: "binance", seq });

describe("price store", () => {
  beforeEach(() => usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0 }));

  it("keeps the latest tick per symbol, a live series of at most 50 and the last seq", () => {
    const ticks = Array.from({ length: 60 }, (_, i) => tick("btc", i + 1));
    usePriceStore.getState().applyTicks([...ticks, tick("eth", 61)]);
    const state = usePriceStore.getState();
    expect(state.latest.btc!.seq).toBe(60);
    expect(state.live.btc!.map((t) => t.seq)).toEqual(ticks.slice(10).map((t) => t.seq));
    expect(state.lastSeq).toBe(61);
  });

  it("ignores a tick it already has, so a snapshot after a reconnect adds nothing twice", () => {
    const { applyTicks } = usePriceStore.getState();
    applyTicks([tick("btc", 1), tick("btc", 2)]);
    const before = usePriceStore.getState().live;
    applyTicks([tick("btc", 2)]);
    expect(usePriceStore.getState().live.btc).toEqual(before.btc);
  });
});

describe("mergeSeries", () => {
  it("appends only the live ticks newer than the fetched history, capped", () => {
    const history = [tick("btc", 1), tick("btc", 2), tick("btc", 3)];
    const live = [tick("btc", 2), tick("btc", 3), tick("btc", 4), tick("btc", 5)];
    expect(mergeSeries(history, live).map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(mergeSeries(history, live, 3).map((t) => t.seq)).toEqual([3, 4, 5]);
    expect(mergeSeries([], live).map((t) => t.seq)).toEqual([2, 3, 4, 5]);
  });
});
