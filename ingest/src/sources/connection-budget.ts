import { systemClock, type Clock } from "@cryptostream/core";

/**
 * At most `limit` connection attempts per `windowMs`, shared by every connection
 * to one upstream (Binance allows 300 per 5 minutes per IP).
 */
export class ConnectionBudget {
  private readonly attempts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Records an attempt now if the budget allows one; otherwise says how long to wait. */
  take(): { ok: true } | { ok: false; waitMs: number } {
    const now = this.clock.now();
    while (this.attempts.length > 0 && this.attempts[0]! <= now - this.windowMs) this.attempts.shift();
    if (this.attempts.length >= this.limit) return { ok: false, waitMs: this.attempts[0]! + this.windowMs - now };
    this.attempts.push(now);
    return { ok: true };
  }
}

/** Binance's limit on connection attempts per IP. */
export const binanceConnectionBudget = (clock: Clock) => new ConnectionBudget(300, 5 * 60_000, clock);
