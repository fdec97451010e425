import type { Clock, ClockTimer } from "./clock";

/**
 * Notices that a consumer fell silent: no delivery and no heartbeat for `limitMs` (while the
 * reader is not itself holding delivery back), checked every `checkEveryMs`. nats-server sends
 * an idle heartbeat at least every few seconds to a live consumer, so silence means the
 * consumer is gone (the server restarted) and must be made again.
 */
export class SilenceWatch {
  private lastHeard: number;
  private readonly timer: ClockTimer;

  constructor(
    private readonly clock: Clock,
    private readonly limitMs: number,
    checkEveryMs: number,
    onSilence: () => void,
    /** True while silence is expected: the reader holds the server back. */
    private readonly excused: () => boolean,
  ) {
    this.lastHeard = clock.now();
    this.timer = clock.setInterval(() => {
      if (this.isSilent()) onSilence();
    }, checkEveryMs);
  }

  /** Something arrived (or a consumer was just made): the silence starts again. */
  heard(): void {
    this.lastHeard = this.clock.now();
  }

  isSilent(): boolean {
    return !this.excused() && this.clock.now() - this.lastHeard > this.limitMs;
  }

  stop(): void {
    this.timer.clear();
  }
}
