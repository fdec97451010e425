import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { sleep } from "./clock";

describe("sleep", () => {
  it("resolves after its time on the clock it is given, not before", async () => {
    const clock = new FakeClock();
    let done = false;
    const slept = sleep(clock, 1_000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
  });

  it("resolves as soon as its signal aborts, and leaves no timer behind", async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const slept = sleep(clock, 60_000, stop.signal);
    expect(clock.pending).toBe(1);
    stop.abort();
    await slept;
    expect(clock.pending).toBe(0);
    // An aborted signal cuts the next wait short before it starts.
    await sleep(clock, 60_000, stop.signal);
    expect(clock.pending).toBe(0);
  });
});
