import type { SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { createReplayer, type ReplayClock } from "./replay";

const tick = (seq: number, ts: number): SequencedTick => ({ symbol: "btc", price: seq, ts, source: "binance", seq });

/** A clock that moves only when the replay sleeps. */
function fakeClock(start = 1_000): ReplayClock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

async function play(ticks: SequencedTick[], handle: (tick: SequencedTick) => void | Promise<void>) {
  for (const tick of ticks) await handle(tick);
}

describe("createReplayer", () => {
  const ticks = [tick(1, 10_000), tick(2, 11_000), tick(3, 11_000), tick(4, 15_000)];

  it("spaces the ticks as they happened, divided by the speed", async () => {
    const clock = fakeClock();
    const emitted: { seq: number; at: number }[] = [];
    await play(ticks, createReplayer({ speed: 10, clock, emit: (t) => void emitted.push({ seq: t.seq, at: clock.now() }) }));
    expect(emitted).toEqual([
      { seq: 1, at: 1_000 },
      { seq: 2, at: 1_100 },
      { seq: 3, at: 1_100 },
      { seq: 4, at: 1_500 },
    ]);
  });

  it("emits everything at once without a speed, and never waits backwards", async () => {
    const clock = fakeClock();
    const emitted: number[] = [];
    await play(ticks, createReplayer({ clock, emit: (t) => void emitted.push(t.seq) }));
    expect(emitted).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([]);

    const outOfOrder = fakeClock();
    await play([tick(1, 5_000), tick(2, 4_000), tick(3, 6_000)], createReplayer({ speed: 1, clock: outOfOrder, emit: () => undefined }));
    expect(outOfOrder.sleeps).toEqual([1_000]);
  });
});
