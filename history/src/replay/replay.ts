import { sleep, systemClock, type Clock, type SequencedTick } from "@cryptostream/core";

export interface ReplayOptions {
  emit: (tick: SequencedTick) => void;
  /** 10 plays ten times faster than the ticks happened; undefined emits at once. */
  speed?: number | undefined;
  clock?: Clock;
}

/**
 * A tick handler that emits ticks spaced as their upstream times were, divided
 * by `speed`: it resolves once the tick is due and emitted.
 */
export function createReplayer({ emit, speed, clock = systemClock }: ReplayOptions): (tick: SequencedTick) => void | Promise<void> {
  let first: { ts: number; at: number } | undefined;
  return (tick) => {
    if (speed === undefined) return emit(tick);
    first ??= { ts: tick.ts, at: clock.now() };
    const wait = first.at + Math.max(0, tick.ts - first.ts) / speed - clock.now();
    if (wait <= 0) return emit(tick);
    return sleep(clock, wait).then(() => emit(tick));
  };
}
