import type { SequencedTick } from "@cryptostream/core";

export interface ReplayClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: ReplayClock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ReplayOptions {
  ticks: AsyncIterable<SequencedTick>;
  emit: (tick: SequencedTick) => void | Promise<void>;
  /** 10 plays ten times faster than the ticks happened; undefined emits at once. */
  speed?: number | undefined;
  clock?: ReplayClock;
}

/**
 * Emits ticks in order, spaced as their upstream times were, divided by `speed`.
 * Returns how many it emitted.
 */
export async function replayTicks({ ticks, emit, speed, clock = systemClock }: ReplayOptions): Promise<number> {
  let first: { ts: number; at: number } | undefined;
  let count = 0;
  for await (const tick of ticks) {
    if (speed !== undefined) {
      first ??= { ts: tick.ts, at: clock.now() };
      const due = first.at + Math.max(0, tick.ts - first.ts) / speed;
      const wait = due - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
    await emit(tick);
    count++;
  }
  return count;
}
