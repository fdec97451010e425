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

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts (a retry's wait that a stop cuts short). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      timer.clear();
      resolve();
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
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
