import type { Tick } from "@cryptostream/core";

/** How many unconfirmed ticks a venue may have held per symbol; the oldest past it is dropped. */
export const HOLD_LIMIT = 3;

interface Held {
  tick: Tick;
  at: number;
}

/** What a price settles of the held ticks: those it agrees with (to publish before it) and those it contradicts. */
export interface Settled {
  confirmed: Tick[];
  contradicted: Tick[];
}

/**
 * The ticks the gate had nothing to judge by (a new deployment's first prices), per symbol and
 * source, at most {@link HOLD_LIMIT} a venue, each forgotten `maxAgeMs` after it was held.
 */
export class HeldTicks {
  private readonly bySymbol = new Map<string, Map<string, Held[]>>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly agree: (price: number, other: number) => boolean,
  ) {}

  /** Whether the venue holds a tick of the symbol at `ts` (a repeat of it is nothing new). */
  holds(symbol: string, source: string, ts: number): boolean {
    return (
      this.bySymbol
        .get(symbol)
        ?.get(source)
        ?.some((entry) => entry.tick.ts === ts) ?? false
    );
  }

  /** Holds the tick; returns the venue's oldest held one when it is pushed past the limit. */
  hold(tick: Tick, now: number): Tick | undefined {
    const bySource = this.bySymbol.get(tick.symbol) ?? new Map<string, Held[]>();
    this.bySymbol.set(tick.symbol, bySource);
    const held = [...this.fresh(bySource.get(tick.source), now), { tick, at: now }];
    bySource.set(tick.source, held.slice(-HOLD_LIMIT));
    return held.length > HOLD_LIMIT ? held[0]!.tick : undefined;
  }

  /** With a judged price of the venue: every held tick of it settles, confirmed or contradicted. */
  settle(tick: Tick, now: number): Settled {
    const held = this.fresh(this.bySymbol.get(tick.symbol)?.get(tick.source), now).map((entry) => entry.tick);
    this.bySymbol.get(tick.symbol)?.delete(tick.source);
    return {
      confirmed: held.filter((other) => this.agree(other.price, tick.price)),
      contradicted: held.filter((other) => !this.agree(other.price, tick.price)),
    };
  }

  /**
   * With nothing to judge the tick by: the held ticks of any source that agree with it confirm it
   * (and are confirmed), and the venue's own that do not are contradicted. Undefined, and nothing
   * taken out, when none agrees.
   */
  confirm(tick: Tick, now: number): Settled | undefined {
    const bySource = this.bySymbol.get(tick.symbol);
    const agreeing = [...(bySource ?? [])].flatMap(([, held]) => this.fresh(held, now)).filter((entry) => this.agree(entry.tick.price, tick.price));
    if (agreeing.length === 0) return undefined;
    const own = this.settle(tick, now);
    for (const [source, held] of bySource ?? [])
      bySource?.set(
        source,
        held.filter((entry) => !agreeing.includes(entry)),
      );
    const confirmed = agreeing.map((entry) => entry.tick).filter((other) => other.source !== tick.source);
    return { confirmed: [...confirmed, ...own.confirmed].sort((a, b) => a.ts - b.ts), contradicted: own.contradicted };
  }

  private fresh(held: Held[] | undefined, now: number): Held[] {
    return (held ?? []).filter((entry) => now - entry.at <= this.maxAgeMs);
  }
}
