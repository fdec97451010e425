import { sleep, type Clock } from "@cryptostream/core";

const CATCH_UP_TIMEOUT_MS = 30_000;
const CATCH_UP_POLL_MS = 10;

/** Resolves once a follower of a stream has applied `target` (a stream seq); rejects after 30 s. */
export async function caughtUpTo(clock: Clock, applied: () => number, target: number, what: string): Promise<void> {
  const until = clock.now() + CATCH_UP_TIMEOUT_MS;
  while (applied() < target) {
    if (clock.now() > until) throw new Error(`${what} stuck at seq ${applied()} of ${target}`);
    await sleep(clock, CATCH_UP_POLL_MS);
  }
}
