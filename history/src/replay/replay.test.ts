import type { SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { FakeClock } from "@cryptostream/testing";
import { createReplayer } from "./replay";

const tick = (seq: number, ts: number): SequencedTick => ({ symbol: "btc", price: seq, ts, source: "binance", seq });

/** A fake clock that records each wait the replay asks of it. */
function fakeClock(start = 1_000): FakeClock & { sleeps: number[] } {
  const clock = Object.assign(new FakeClock(start), { sleeps: [] as number[] });
  const setTimeout = clock.setTimeout.bind(clock);
  clock.setTimeout = (callback, ms) => {
    clock.sleeps.push(ms);
    return setTimeout(callback, ms);
  };
  return clock;
}

/** Hands the ticks over one after another, the clock moving on to each wait's end at once. */
async function play(ticks: SequencedTick[], handle: (tick: SequencedTick) => void | Promise<void>, clock: FakeClock) {
  for (const tick of ticks) await clock.settle(Promise.resolve(handle(tick)));
}

describe("createReplayer", () => {
  const ticks = [tick(1, 10_000), tick(2, 11_000), tick(3, 11_000), tick(4, 15_000)];

  it("spaces the ticks as they happened, divided by the speed", async () => {
    const clock = fakeClock();
    const emitted: { seq: number; at: number }[] = [];
    await play(ticks, createReplayer({ speed: 10, clock, emit: (t) => void emitted.push({ seq: t.seq, at: clock.now() }) }), clock);
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
    await play(ticks, createReplayer({ clock, emit: (t) => void emitted.push(t.seq) }), clock);
    expect(emitted).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([]);

    const outOfOrder = fakeClock();
    await play([tick(1, 5_000), tick(2, 4_000), tick(3, 6_000)], createReplayer({ speed: 1, clock: outOfOrder, emit: () => undefined }), outOfOrder);
    expect(outOfOrder.sleeps).toEqual([1_000]);
  });
});
