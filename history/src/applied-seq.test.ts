import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { AppliedSeq } from "./applied-seq";

describe("AppliedSeq", () => {
  it("resolves a wait when the follower applies its seq, not before, and at once for one already applied", async () => {
    const clock = new FakeClock();
    const applied = new AppliedSeq(clock, "feed");
    const events: string[] = [];
    const waiting = applied.reach(5).then(() => events.push("reached 5"));
    applied.advance(4);
    await Promise.resolve();
    expect(events).toEqual([]);
    applied.advance(7);
    await waiting;
    expect(events).toEqual(["reached 5"]);
    expect(clock.pending).toBe(0);
    await applied.reach(6);
    expect(applied.current).toBe(7);
  });

  it("gives up after 30 s, saying where the follower stands", async () => {
    const clock = new FakeClock();
    const applied = new AppliedSeq(clock, "CANDLES feed");
    applied.advance(2);
    const waiting = applied.reach(9);
    clock.advance(30_000);
    await expect(waiting).rejects.toThrow("CANDLES feed stuck at seq 2 of 9");
  });
});
