import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { SilenceWatch } from "./silence-watch";

describe("SilenceWatch", () => {
  it("calls onSilence once nothing was heard for longer than the limit, checked at its interval, and not while excused", () => {
    const clock = new FakeClock();
    let silences = 0;
    let excused = false;
    const watch = new SilenceWatch(
      clock,
      6_000,
      2_000,
      () => silences++,
      () => excused,
    );
    clock.advance(5_000);
    watch.heard();
    clock.advance(6_000);
    expect(silences).toBe(0);
    clock.advance(2_000);
    expect(silences).toBe(1);
    excused = true;
    clock.advance(10_000);
    expect(silences).toBe(1);
    watch.stop();
    expect(clock.pending).toBe(0);
  });
});
