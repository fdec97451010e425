import type { SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { RecentTicks } from "./recent-ticks";

const tick = (seq: number, symbol = "btc"): SequencedTick => ({ symbol, price: seq, ts: 1_763_800_000_000 + seq, source: "binance", seq });

describe("RecentTicks", () => {
  it("keeps the last 50 ticks per symbol: the 51st evicts the first", () => {
    const window = new RecentTicks();
    for (let seq = 1; seq <= 51; seq++) window.append(tick(seq));
    const kept = window.ticks("btc")!;
    expect(kept).toHaveLength(50);
    expect(kept[0]!.seq).toBe(2);
    expect(kept[49]!.seq).toBe(51);
  });

  it("refuses a tick whose seq it already has, so a redelivery is not kept twice", () => {
    const window = new RecentTicks();
    expect(window.append(tick(5))).toBe(true);
    expect(window.append(tick(5))).toBe(false);
    expect(window.append(tick(4))).toBe(false);
    expect(window.append(tick(4, "eth"))).toBe(true);
    expect(window.ticks("btc")!.map((t) => t.seq)).toEqual([5]);
    expect(
      window
        .latest()
        .map((t) => t.symbol)
        .sort(),
    ).toEqual(["btc", "eth"]);
  });
});
