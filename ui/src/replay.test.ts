import type { SequencedTick } from "@cryptostream/core/contracts";
import { describe, expect, it } from "vitest";
import { advance, playedTicks, seriesStats } from "./replay";

const tick = (seq: number, ts: number, price: number): SequencedTick => ({ symbol: "btc", price, ts, source: "binance", seq });
const ticks = [tick(1, 1_000, 10), tick(2, 2_000, 12), tick(3, 4_000, 9), tick(4, 8_000, 11)];

describe("replay", () => {
  it("plays the ticks up to the position", () => {
    expect(playedTicks(ticks, 999)).toEqual([]);
    expect(playedTicks(ticks, 2_000).map((t) => t.seq)).toEqual([1, 2]);
    expect(playedTicks(ticks, 10_000)).toHaveLength(4);
  });

  it("moves the position by real time times the speed, stopping at the end", () => {
    expect(advance(1_000, 100, 10, 8_000)).toBe(2_000);
    expect(advance(1_000, 100, 60, 8_000)).toBe(7_000);
    expect(advance(7_000, 100, 60, 8_000)).toBe(8_000);
  });

  it("gives the minimum, maximum and last of a series", () => {
    expect(seriesStats(ticks)).toEqual({ min: 9, max: 12, last: 11 });
    expect(seriesStats([])).toBeUndefined();
  });
});
