/** As core's `ClockTimer` and `Clock` (testing cannot depend on core, which tests with it). */
interface ClockTimer {
  clear(): void;
}

interface Scheduled {
  at: number;
  callback: () => void;
  everyMs?: number;
  cleared: boolean;
}

/** A clock (core's `Clock`) that moves only when told (`advance`), firing due timers in order. */
export class FakeClock {
  private timers: Scheduled[] = [];

  constructor(private current = 1_763_800_000_000) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    return this.schedule({ at: this.current + ms, callback, cleared: false });
  }

  setInterval(callback: () => void, ms: number): ClockTimer {
    return this.schedule({ at: this.current + ms, callback, everyMs: Math.max(1, ms), cleared: false });
  }

  /** Timers not yet fired nor cleared. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cleared).length;
  }

  /** Runs until `work` settles, moving time straight to each next timer while it waits on one. */
  async settle<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const settled = work.finally(() => (done = true));
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) return settled;
      const next = this.timers.filter((timer) => !timer.cleared).sort((a, b) => a.at - b.at)[0];
      if (!next) return settled;
      this.advance(next.at - this.current);
    }
  }

  /** Moves time on by `ms`, firing every timer that falls due on the way, each at its own time. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cleared && timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = due.at;
      if (due.everyMs === undefined) due.cleared = true;
      else due.at += due.everyMs;
      due.callback();
    }
    this.current = until;
    this.timers = this.timers.filter((timer) => !timer.cleared);
  }

  private schedule(timer: Scheduled): ClockTimer {
    this.timers.push(timer);
    return { clear: () => (timer.cleared = true) };
  }
}
