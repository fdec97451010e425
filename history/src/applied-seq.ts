import type { Clock } from "@cryptostream/core";

const CATCH_UP_TIMEOUT_MS = 30_000;

/**
 * The last stream seq a follower of a stream has applied, and waits for it to reach a seq:
 * resolved as the follower applies messages, not by polling; a wait rejects after 30 s.
 */
export class AppliedSeq {
  private value = 0;
  private waiters: { target: number; done: () => void }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly what: string,
  ) {}

  get current(): number {
    return this.value;
  }

  advance(seq: number): void {
    if (seq <= this.value) return;
    this.value = seq;
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((waiter) => waiter.target <= seq);
    this.waiters = this.waiters.filter((waiter) => waiter.target > seq);
    for (const waiter of due) waiter.done();
  }

  /** Resolves once `target` is applied. */
  reach(target: number): Promise<void> {
    if (this.value >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        target,
        done: () => {
          timer.clear();
          resolve();
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(new Error(`${this.what} stuck at seq ${this.value} of ${target}`));
      }, CATCH_UP_TIMEOUT_MS);
      this.waiters.push(waiter);
    });
  }
}
