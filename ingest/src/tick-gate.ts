import { validateTick, type Tick, type TickRejectReason, type UpstreamRejectReason } from "@cryptostream/core";

export type GateVerdict = { ok: true; tick: Tick } | { ok: false; reason: UpstreamRejectReason | TickRejectReason | typeof UNCHANGED; message: string };

/** The verdict on a repeat of the last published event: nothing wrong, nothing new (a poll between upstream updates). */
export const UNCHANGED = "unchanged" as const;

export interface TickGateLimits {
  /** Largest move from the symbol's last good price, as a fraction (0.5: half up or down). */
  maxPriceJump: number;
  /** How far ahead of this clock an upstream time may be. */
  maxFutureMs: number;
  /** How old an upstream time may be. */
  maxAgeMs: number;
}

export const DEFAULT_GATE_LIMITS: TickGateLimits = { maxPriceJump: 0.5, maxFutureMs: 30_000, maxAgeMs: 10 * 60_000 };

/**
 * The last check before publishing: the tick schema, sane times and prices, then
 * order, each venue against its own past: a tick older than the last one published for
 * the same symbol and source is dropped, a repeat of the last one is skipped, and a price
 * too far from the venue's last is refused (another venue's disagreeing price is not
 * the gate's to judge: the reference price outvotes it).
 */
export class TickGate {
  private readonly lastTs = new Map<string, number>();
  private readonly lastPrice = new Map<string, number>();

  constructor(
    private readonly limits: TickGateLimits = DEFAULT_GATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  admit(candidate: Tick): GateVerdict {
    const validation = validateTick(candidate);
    if (!validation.ok) return validation;
    const { tick } = validation;
    const now = this.now();
    if (tick.ts > now + this.limits.maxFutureMs) {
      return { ok: false, reason: "future_timestamp", message: `ts ${new Date(tick.ts).toISOString()} is ahead of this clock` };
    }
    if (tick.ts < now - this.limits.maxAgeMs) {
      return { ok: false, reason: "old_timestamp", message: `ts ${new Date(tick.ts).toISOString()} is older than ${this.limits.maxAgeMs} ms` };
    }
    const key = `${tick.source}:${tick.symbol}`;
    const last = this.lastTs.get(key);
    if (last === tick.ts) return { ok: false, reason: UNCHANGED, message: `ts ${tick.ts} was published already` };
    if (last !== undefined && tick.ts < last) {
      return { ok: false, reason: "out_of_order", message: `ts ${tick.ts} is older than the last published ${last}` };
    }
    const lastPrice = this.lastPrice.get(key);
    if (lastPrice !== undefined && Math.abs(tick.price - lastPrice) / lastPrice > this.limits.maxPriceJump) {
      return {
        ok: false,
        reason: "price_jump",
        message: `${tick.symbol} ${tick.price} is more than ${this.limits.maxPriceJump * 100}% from the last good ${lastPrice}`,
      };
    }
    this.lastTs.set(key, tick.ts);
    this.lastPrice.set(key, tick.price);
    return { ok: true, tick };
  }
}
