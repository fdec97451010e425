/** A timer a {@link Clock} started, to be stopped with `clear`. */
export interface ClockTimer {
  clear(): void;
}

/**
 * The time and the timers of everything that waits or schedules, injectable so that logic
 * built on time is tested with a fake clock that never sleeps (`FakeClock` in testing).
 */
export interface Clock {
  /** ms since epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  setInterval(callback: () => void, ms: number): ClockTimer;
}

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** The real clock: `Date.now` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    return { clear: () => clearTimeout(timer) };
  },
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms);
    return { clear: () => clearInterval(timer) };
  },
};
