import type { SequencedTick } from "@cryptostream/core/contracts";

export const REPLAY_WINDOWS_MINUTES = [5, 15, 60] as const;
export const REPLAY_SPEEDS = [1, 10, 60] as const;

/** The ticks already played when playback stands at `positionTs`. */
export function playedTicks(ticks: readonly SequencedTick[], positionTs: number): SequencedTick[] {
  let end = 0;
  while (end < ticks.length && ticks[end]!.ts <= positionTs) end++;
  return ticks.slice(0, end);
}

/** Where playback stands after `elapsedMs` of real time at `speed`, never past the last tick. */
export function advance(positionTs: number, elapsedMs: number, speed: number, lastTs: number): number {
  return Math.min(lastTs, positionTs + elapsedMs * speed);
}

/** Lowest, highest and last price of a series. */
export function seriesStats(ticks: readonly SequencedTick[]): { min: number; max: number; last: number } | undefined {
  if (ticks.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const tick of ticks) {
    if (tick.price < min) min = tick.price;
    if (tick.price > max) max = tick.price;
  }
  return { min, max, last: ticks[ticks.length - 1]!.price };
}
