import { HOLD_LIMIT, HeldTicks, type Settled } from "./held-ticks";
import { median, systemClock, validateTick, type Clock, type Tick, type TickRejectReason, type UpstreamRejectReason } from "@cryptostream/core";

export interface GateRefusal {
  reason: UpstreamRejectReason | TickRejectReason | typeof UNCHANGED | typeof HELD;
  message: string;
}

/**
 * A taken tick comes with the held ticks it confirms (`released`, to publish with it, each once,
 * {@link inTsOrder}) and the refusals of the held ticks it contradicts (`dropped`, each `unconfirmed`).
 */
export type GateVerdict = { ok: true; tick: Tick; released: Tick[]; dropped: GateRefusal[] } | ({ ok: false } & GateRefusal);

/** A taken tick and the held ticks it released, in the order to publish them: by ts (a held tick may be newer than the one confirming it). */
export const inTsOrder = (released: Tick[], tick: Tick): Tick[] => [...released, tick].sort((a, b) => a.ts - b.ts);

/** The verdict on a repeat of the last published event: nothing wrong, nothing new (a poll between upstream updates). */
export const UNCHANGED = "unchanged" as const;
/** The verdict on a price with no evidence at all to judge it by: kept back until another price confirms it. */
export const HELD = "held" as const;

export interface TickGateLimits {
  /** Largest move from the best evidence of a price, as a fraction (0.5: half up or down). */
  maxPriceJump: number;
  /** How far ahead of this clock an upstream time may be. */
  maxFutureMs: number;
  /** How old an upstream time may be; also how long a price counts as evidence, from when the gate took it. */
  maxAgeMs: number;
}

export const DEFAULT_GATE_LIMITS: TickGateLimits = { maxPriceJump: 0.5, maxFutureMs: 30_000, maxAgeMs: 10 * 60_000 };

/** Refused ticks of a venue, each agreeing with the others within this fraction, that take it back (see `TickGate`). */
export const TAKE_BACK_AGREEMENT = 0.02;
export const TAKE_BACK_TICKS = 3;

/** A price the gate took, and when (by its clock). */
interface Evidence {
  price: number;
  at: number;
}

/**
 * The last check before publishing: the tick schema, sane times and prices, then order (a tick
 * older than the last one published for the same symbol and source is dropped, a repeat of the
 * last one skipped), then the price against the best evidence there is:
 * - the venue's own last good price, while it is fresh (`maxAgeMs`);
 * - else the market, where the evidence agrees on a price: the other sources' fresh last good
 *   prices (CoinGecko's too) and the symbol's last reference price (`noteReference`, from `PRICES`);
 * - one other venue alone, or venues that disagree with each other, cannot tell which is wrong: the
 *   tick is taken, and the reference price outvotes (or withholds) it;
 * - with no evidence at all (a new deployment's first ticks, before `PRICES` holds the symbol), the
 *   tick is held (`HELD`, {@link HeldTicks}) until a price that agrees with it within
 *   `maxPriceJump` confirms it: the same venue's next one, or another source's held or first price.
 *   It is then published before the confirming tick, so nothing is lost; a held price that the
 *   price confirmed or taken contradicts is dropped as `unconfirmed`.
 * A price further than `maxPriceJump` from it is refused, and never becomes anyone's evidence.
 * A venue refused against its own past is taken back (its own past was the wrong one: a real
 * jump, or a bad price taken with nothing to compare) when the market agrees with its new price,
 * or, with no market to ask, after {@link TAKE_BACK_TICKS} refused ticks in a row agreeing with
 * each other within {@link TAKE_BACK_AGREEMENT}. A venue disagreeing with the others while
 * its own past agrees is not the gate's to judge: the reference price outvotes it.
 */
export class TickGate {
  private readonly lastTs = new Map<string, number>();
  /** Each symbol's good prices by source. */
  private readonly lastGood = new Map<string, Map<string, Evidence>>();
  private readonly refusedInARow = new Map<string, number[]>();
  private readonly references = new Map<string, Evidence>();
  private readonly held: HeldTicks;

  constructor(
    private readonly limits: TickGateLimits = DEFAULT_GATE_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {
    this.held = new HeldTicks(limits.maxAgeMs, (price, other) => !this.tooFar(price, other));
  }

  /** The symbol's latest reference price: evidence for a venue with no fresh price of its own. */
  noteReference(symbol: string, price: number, at = this.clock.now()): void {
    this.references.set(symbol, { price, at });
  }

  admit(candidate: Tick): GateVerdict {
    const validation = validateTick(candidate);
    if (!validation.ok) return validation;
    const { tick } = validation;
    const now = this.clock.now();
    if (tick.ts > now + this.limits.maxFutureMs) {
      return { ok: false, reason: "future_timestamp", message: `ts ${new Date(tick.ts).toISOString()} is ahead of this clock` };
    }
    if (tick.ts < now - this.limits.maxAgeMs) {
      return { ok: false, reason: "old_timestamp", message: `ts ${new Date(tick.ts).toISOString()} is older than ${this.limits.maxAgeMs} ms` };
    }
    const key = `${tick.source}:${tick.symbol}`;
    const last = this.lastTs.get(key);
    if (last === tick.ts || this.held.holds(tick.symbol, tick.source, tick.ts))
      return { ok: false, reason: UNCHANGED, message: `ts ${tick.ts} was seen already` };
    if (last !== undefined && tick.ts < last) return { ok: false, reason: "out_of_order", message: `ts ${tick.ts} is older than the last published ${last}` };
    const judged = this.judgePrice(tick, key, now);
    if (judged === "hold") return this.confirmOrHold(tick, now);
    if (judged !== "take") return { ok: false, ...judged };
    return this.take(tick, now, this.held.settle(tick, now));
  }

  private judgePrice(tick: Tick, key: string, now: number): GateRefusal | "take" | "hold" {
    const own = this.fresh(this.lastGood.get(tick.symbol)?.get(tick.source), now);
    // The common case, a venue near its own last price, asks nothing more.
    if (own !== undefined && !this.tooFar(tick.price, own)) return "take";
    const evidence = this.evidence(tick, now);
    const market = this.market(evidence);
    if (own !== undefined) {
      if (market !== undefined ? !this.tooFar(tick.price, market) && this.tooFar(own, market) : this.agreedInARow(key, tick.price)) return "take";
      const { maxPriceJump } = this.limits;
      return { reason: "price_jump", message: `${tick.symbol} ${tick.price} is more than ${maxPriceJump * 100}% from the venue's last good ${own}` };
    }
    if (market !== undefined && this.tooFar(tick.price, market)) {
      return {
        reason: "off_market",
        message: `${tick.symbol} ${tick.price} is more than ${this.limits.maxPriceJump * 100}% from the market's ${market} (the other sources and the last reference price)`,
      };
    }
    return evidence.prices.length === 0 ? "hold" : "take";
  }

  /** With no evidence: taken with every held price that agrees with it, else held. */
  private confirmOrHold(tick: Tick, now: number): GateVerdict {
    const settled = this.held.confirm(tick, now);
    if (settled) return this.take(tick, now, settled);
    const pushedOut = this.held.hold(tick, now);
    if (pushedOut) return { ok: false, ...this.unconfirmed(pushedOut, `${HOLD_LIMIT} newer prices held after it, none agreeing`) };
    return {
      ok: false,
      reason: HELD,
      message: `${tick.symbol} ${tick.price}: no evidence yet (no other source, no reference price); held until a price confirms it`,
    };
  }

  private unconfirmed(held: Tick, why: string): GateRefusal {
    return {
      reason: "unconfirmed",
      message: `${held.symbol} ${held.price} of ${new Date(held.ts).toISOString()} (held, nothing to judge it by) dropped: ${why}`,
    };
  }

  private take(tick: Tick, now: number, { confirmed, contradicted }: Settled): GateVerdict {
    for (const taken of inTsOrder(confirmed, tick)) {
      const key = `${taken.source}:${taken.symbol}`;
      this.refusedInARow.delete(key);
      this.lastTs.set(key, Math.max(taken.ts, this.lastTs.get(key) ?? taken.ts));
      const bySource = this.lastGood.get(taken.symbol) ?? new Map<string, Evidence>();
      bySource.set(taken.source, { price: taken.price, at: now });
      this.lastGood.set(taken.symbol, bySource);
    }
    const maxPriceJump = this.limits.maxPriceJump * 100;
    const dropped = contradicted.map((held) => this.unconfirmed(held, `more than ${maxPriceJump}% from ${tick.source}'s ${tick.price}`));
    return { ok: true, tick, released: confirmed, dropped };
  }

  /** The other sources' fresh good prices of the symbol, and its fresh reference price last. */
  private evidence(tick: Tick, now: number): { prices: number[]; reference?: number } {
    const prices: number[] = [];
    for (const [source, evidence] of this.lastGood.get(tick.symbol) ?? []) {
      const price = source === tick.source ? undefined : this.fresh(evidence, now);
      if (price !== undefined) prices.push(price);
    }
    const reference = this.fresh(this.references.get(tick.symbol), now);
    if (reference !== undefined) prices.push(reference);
    return { prices, reference };
  }

  /**
   * The market's price of the symbol, where the evidence agrees on one: the median of the largest
   * group of other sources' fresh good prices and the fresh reference price that agree with each
   * other within `maxPriceJump`, when it holds two or more, or the reference price alone. One other
   * venue alone, or venues disagreeing with no group, say nothing: either may be the wrong one,
   * and the reference price outvotes (or withholds) them.
   */
  private market({ prices, reference }: { prices: number[]; reference?: number }): number | undefined {
    if (prices.length === 1) return reference;
    let group: number[] = [];
    for (const price of prices) {
      const agreeing = prices.filter((other) => !this.tooFar(other, price));
      if (agreeing.length > group.length) group = agreeing;
    }
    return group.length >= 2 ? median(group) : undefined;
  }

  /** Records a refused price; true once the last {@link TAKE_BACK_TICKS} refused ones agree with each other. */
  private agreedInARow(key: string, price: number): boolean {
    const refused = [...(this.refusedInARow.get(key) ?? []), price].slice(-TAKE_BACK_TICKS);
    this.refusedInARow.set(key, refused);
    return refused.length === TAKE_BACK_TICKS && refused.every((other) => Math.abs(other - price) / price <= TAKE_BACK_AGREEMENT);
  }

  private fresh(evidence: Evidence | undefined, now: number): number | undefined {
    return evidence && now - evidence.at <= this.limits.maxAgeMs ? evidence.price : undefined;
  }

  private tooFar(price: number, from: number): boolean {
    return Math.abs(price - from) / from > this.limits.maxPriceJump;
  }
}
