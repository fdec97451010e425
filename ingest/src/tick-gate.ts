import { median, systemClock, validateTick, type Clock, type Tick, type TickRejectReason, type UpstreamRejectReason } from "@cryptostream/core";

export type GateVerdict = { ok: true; tick: Tick } | { ok: false; reason: UpstreamRejectReason | TickRejectReason | typeof UNCHANGED; message: string };

/** The verdict on a repeat of the last published event: nothing wrong, nothing new (a poll between upstream updates). */
export const UNCHANGED = "unchanged" as const;

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
 * - with neither (a new deployment's first ticks, or one venue against one other), the gate cannot
 *   tell: it is taken, and the reference price judges it against the other venues.
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

  constructor(
    private readonly limits: TickGateLimits = DEFAULT_GATE_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {}

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
    if (last === tick.ts) return { ok: false, reason: UNCHANGED, message: `ts ${tick.ts} was published already` };
    if (last !== undefined && tick.ts < last) {
      return { ok: false, reason: "out_of_order", message: `ts ${tick.ts} is older than the last published ${last}` };
    }
    const refusal = this.judgePrice(tick, key, now);
    if (refusal) return refusal;
    this.refusedInARow.delete(key);
    this.lastTs.set(key, tick.ts);
    const bySource = this.lastGood.get(tick.symbol) ?? new Map<string, Evidence>();
    bySource.set(tick.source, { price: tick.price, at: now });
    this.lastGood.set(tick.symbol, bySource);
    return { ok: true, tick };
  }

  private judgePrice(tick: Tick, key: string, now: number): GateVerdict | undefined {
    const own = this.fresh(this.lastGood.get(tick.symbol)?.get(tick.source), now);
    // The common case, a venue near its own last price, asks nothing more.
    if (own !== undefined && !this.tooFar(tick.price, own)) return undefined;
    const market = this.market(tick, now);
    if (own !== undefined) {
      if (market !== undefined ? !this.tooFar(tick.price, market) && this.tooFar(own, market) : this.agreedInARow(key, tick.price)) return undefined;
      const { maxPriceJump } = this.limits;
      return { ok: false, reason: "price_jump", message: `${tick.symbol} ${tick.price} is more than ${maxPriceJump * 100}% from the venue's last good ${own}` };
    }
    if (market !== undefined && this.tooFar(tick.price, market)) {
      return {
        ok: false,
        reason: "off_market",
        message: `${tick.symbol} ${tick.price} is more than ${this.limits.maxPriceJump * 100}% from the market's ${market} (the other sources and the last reference price)`,
      };
    }
    return undefined;
  }

  /**
   * The market's price of the symbol, where the evidence agrees on one: the median of the largest
   * group of other sources' fresh good prices and the fresh reference price that agree with each
   * other within `maxPriceJump`, when it holds two or more, or the reference price alone. One other
   * venue alone, or venues disagreeing with no group, say nothing: either may be the wrong one,
   * and the reference price outvotes (or withholds) them.
   */
  private market(tick: Tick, now: number): number | undefined {
    const prices: number[] = [];
    for (const [source, evidence] of this.lastGood.get(tick.symbol) ?? []) {
      const price = source === tick.source ? undefined : this.fresh(evidence, now);
      if (price !== undefined) prices.push(price);
    }
    const reference = this.fresh(this.references.get(tick.symbol), now);
    if (reference !== undefined) prices.push(reference);
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
