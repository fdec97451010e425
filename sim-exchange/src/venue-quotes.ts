import { seededRandom } from "./random";

export type SimVenue = "coinbase" | "kraken";

/** How a test makes a venue misbehave. */
export interface VenueBehaviour {
  /** Quotes this many times the market price (1000: a venue a thousand times off). */
  factor?: number;
  /** Sends no ticker (heartbeats go on): its last price stays where it was. */
  frozen?: boolean;
  /** Each quote alternately this fraction above and below the market price. */
  flapping?: number;
}

/** Most a venue's quote wanders from the market price, as a fraction. */
const MAX_WANDER = 0.001;

/**
 * Each venue's own quote of a coin: the market price plus a small mean-reverting drift of its
 * own, so venues disagree a little as real ones do, and whatever misbehaviour a test set.
 */
export class VenueQuotes {
  private readonly offsets = new Map<string, number>();
  private readonly random: () => number;
  private readonly behaviours = new Map<SimVenue, VenueBehaviour>();
  private flip = false;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  behave(venue: SimVenue, behaviour: VenueBehaviour): void {
    this.behaviours.set(venue, behaviour);
  }

  behaviour(venue: SimVenue): VenueBehaviour {
    return this.behaviours.get(venue) ?? {};
  }

  /** Moves every venue's drift one step. */
  step(): void {
    this.flip = !this.flip;
    for (const [key, offset] of this.offsets) {
      const next = offset * 0.9 + (this.random() - 0.5) * MAX_WANDER * 0.4;
      this.offsets.set(key, Math.max(-MAX_WANDER, Math.min(MAX_WANDER, next)));
    }
  }

  quote(venue: SimVenue, symbol: string, marketPrice: number): number {
    const key = `${venue}:${symbol}`;
    if (!this.offsets.has(key)) this.offsets.set(key, (this.random() - 0.5) * MAX_WANDER);
    const { factor = 1, flapping = 0 } = this.behaviour(venue);
    const flap = flapping === 0 ? 1 : this.flip ? 1 + flapping : 1 - flapping;
    return Number((marketPrice * (1 + this.offsets.get(key)!) * factor * flap).toPrecision(10));
  }
}
