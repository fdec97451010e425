import type { ReferenceDropReason, ReferenceWithheldReason } from "./codes";
import type { ReferenceInput, Tick } from "./tick";
import { INDEX_SOURCE, LAST_RESORT_VENUE } from "./venues";

export interface ReferenceSettings {
  /** An exchange's last tick counts while it was stored at most this long before the input's. */
  staleAfterMs: number;
  /** The same for the last resort, which is polled rather than streamed. */
  lastResortStaleAfterMs: number;
  /** An exchange further than this fraction from the median of the others is dropped. */
  maxDeviation: number;
  /** A price formed from one venue alone further than this fraction from the median of the others still remembered (stale exchanges, CoinGecko) is withheld. */
  maxLoneDeviation: number;
}

export const DEFAULT_REFERENCE_SETTINGS: ReferenceSettings = {
  staleAfterMs: 15_000,
  lastResortStaleAfterMs: 90_000,
  maxDeviation: 0.02,
  maxLoneDeviation: 0.1,
};

/**
 * A venue's last tick is listed (as stale) until it is this many times its stale limit old,
 * then forgotten: so the book at any point of `TICKS` is a function of a bounded stretch before it.
 */
export const FORGET_AFTER_STALE_LIMITS = 2;

/** How far back of a point of `TICKS` a book must read to stand where it stood there. */
export function referenceMemoryMs(settings: ReferenceSettings): number {
  return FORGET_AFTER_STALE_LIMITS * Math.max(settings.staleAfterMs, settings.lastResortStaleAfterMs);
}

/** A venue's tick as stored in `TICKS`: its stream sequence and when it was stored (ms). */
export interface StoredVenueTick {
  seq: number;
  storedAt: number;
  tick: Tick;
}

export type ReferenceOutcome =
  | { kind: "tick"; tick: Tick; msgId: string }
  | { kind: "withheld"; symbol: string; reason: ReferenceWithheldReason; inputs: ReferenceInput[]; msgId: string };

/** The `Nats-Msg-Id` of the reference tick made from the `TICKS` message `seq`. */
export function referenceMsgId(symbol: string, seq: number): string {
  return `ref:${symbol}:${seq}`;
}

/** The `TICKS` sequence a reference tick's msg id was made from, or undefined for any other id. */
export function referenceInputSeq(msgId: string | undefined): number | undefined {
  const match = /^ref:[a-z0-9]+:(\d+)$/.exec(msgId ?? "");
  return match ? Number(match[1]) : undefined;
}

interface Held {
  tick: Tick;
  storedAt: number;
}

/**
 * Every venue's last tick of each symbol, and the reference price each new one makes. Fed the
 * venue ticks in `TICKS` order, it gives the same outcome for the same message on every replica:
 * ages are measured between stream times, never by a local clock.
 */
export class ReferenceBook {
  private readonly held = new Map<string, Map<string, Held>>();

  constructor(private readonly settings: ReferenceSettings = DEFAULT_REFERENCE_SETTINGS) {}

  /** Takes a venue tick in without forming a price: for one whose reference is already published (a replica catching up). */
  record({ storedAt, tick }: StoredVenueTick): void {
    let venues = this.held.get(tick.symbol);
    if (!venues) {
      venues = new Map();
      this.held.set(tick.symbol, venues);
    }
    venues.set(tick.source, { tick, storedAt });
  }

  apply(input: StoredVenueTick): ReferenceOutcome {
    const { seq, storedAt, tick } = input;
    this.record(input);
    const venues = this.held.get(tick.symbol)!;
    const candidates = this.candidates(venues, storedAt);
    const formed = formReference(candidates, this.settings);
    const msgId = referenceMsgId(tick.symbol, seq);
    if (formed.kind === "withheld") return { kind: "withheld", symbol: tick.symbol, reason: formed.reason, inputs: formed.inputs, msgId };
    const reference: Tick = { symbol: tick.symbol, price: formed.price, ts: tick.ts, source: formed.source };
    if (formed.change24h !== undefined) reference.change24h = formed.change24h;
    if (formed.volume24h !== undefined) reference.volume24h = formed.volume24h;
    reference.inputs = formed.inputs;
    return { kind: "tick", tick: reference, msgId };
  }

  /** The symbol's venues still remembered at `now`, by venue name; older ones are forgotten. */
  private candidates(venues: Map<string, Held>, now: number): Candidate[] {
    const memory = referenceMemoryMs(this.settings);
    const candidates: Candidate[] = [];
    for (const [venue, held] of venues) {
      const age = Math.max(0, now - held.storedAt);
      if (age > memory) venues.delete(venue);
      else candidates.push({ venue, age, tick: held.tick });
    }
    return candidates.sort((a, b) => (a.venue < b.venue ? -1 : 1));
  }
}

export interface Candidate {
  venue: string;
  age: number;
  tick: Tick;
}

export type FormedReference =
  | { kind: "price"; price: number; source: string; change24h?: number; volume24h?: number; inputs: ReferenceInput[] }
  | { kind: "withheld"; reason: ReferenceWithheldReason; inputs: ReferenceInput[] };

/**
 * The reference price of one symbol from its venues' last ticks: the median of the fresh
 * exchanges after dropping, worst first and while three or more are left, any further than
 * `maxDeviation` from the median of the others. Two that disagree by more leave no majority:
 * nothing is formed. No fresh exchange: the last resort's price, if it is fresh.
 */
export function formReference(candidates: readonly Candidate[], settings: ReferenceSettings): FormedReference {
  const dropped = new Map<string, ReferenceDropReason>();
  const isLastResort = (candidate: Candidate) => candidate.venue === LAST_RESORT_VENUE;
  const fresh: Candidate[] = [];
  for (const candidate of candidates) {
    const limit = isLastResort(candidate) ? settings.lastResortStaleAfterMs : settings.staleAfterMs;
    if (candidate.age > limit) dropped.set(candidate.venue, "stale");
    else if (!isLastResort(candidate)) fresh.push(candidate);
  }
  dropOutliers(fresh, settings.maxDeviation, dropped);
  const lastResort = candidates.find((candidate) => isLastResort(candidate) && !dropped.has(candidate.venue));
  if (lastResort && fresh.length > 0) dropped.set(lastResort.venue, "last_resort");
  const inputs = candidates.map(({ venue, tick, age }): ReferenceInput => {
    const why = dropped.get(venue);
    return why ? { venue, price: tick.price, age, dropped: why } : { venue, price: tick.price, age };
  });
  if (fresh.length === 2 && deviation(fresh[0]!.tick.price, fresh[1]!.tick.price) > settings.maxDeviation) {
    return { kind: "withheld", reason: "no_majority", inputs };
  }
  const used = fresh.length > 0 ? fresh : lastResort ? [lastResort] : [];
  if (used.length === 0) return { kind: "withheld", reason: "no_fresh_venue", inputs };
  if (used.length === 1 && !confirmedAlone(used[0]!, candidates, settings.maxLoneDeviation)) return { kind: "withheld", reason: "unconfirmed", inputs };
  const formed: FormedReference = {
    kind: "price",
    price: median(used.map((candidate) => candidate.tick.price)),
    source: used.length === 1 ? used[0]!.venue : INDEX_SOURCE,
    inputs,
  };
  const changes = used.flatMap((candidate) => (candidate.tick.change24h === undefined ? [] : [candidate.tick.change24h]));
  if (changes.length > 0) formed.change24h = median(changes);
  const volumes = used.flatMap((candidate) => (candidate.tick.volume24h === undefined ? [] : [candidate.tick.volume24h]));
  if (volumes.length > 0) formed.volume24h = volumes.reduce((sum, volume) => sum + volume, 0);
  return formed;
}

/** Removes from `fresh`, worst first, each exchange too far from the median of the others, while three or more are left. */
function dropOutliers(fresh: Candidate[], maxDeviation: number, dropped: Map<string, ReferenceDropReason>): void {
  while (fresh.length >= 3) {
    let worst = -1;
    let worstDeviation = 0;
    fresh.forEach((candidate, index) => {
      const others = median(fresh.filter((_, other) => other !== index).map((other) => other.tick.price));
      const off = Math.abs(candidate.tick.price - others) / others;
      if (off > worstDeviation) [worst, worstDeviation] = [index, off];
    });
    if (worstDeviation <= maxDeviation) return;
    const [outlier] = fresh.splice(worst, 1);
    dropped.set(outlier!.venue, "outlier");
  }
}

/**
 * Whether a price formed from one venue alone agrees with the other venues still remembered (stale
 * exchanges, CoinGecko; what the last reference prices were made of): nothing else checks it.
 * With none remembered there is nothing to ask, and it stands.
 */
function confirmedAlone(lone: Candidate, candidates: readonly Candidate[], maxLoneDeviation: number): boolean {
  const witnesses = candidates.filter((candidate) => candidate.venue !== lone.venue).map((candidate) => candidate.tick.price);
  return witnesses.length === 0 || deviation(lone.tick.price, median(witnesses)) <= maxLoneDeviation;
}

/** How far apart two prices are, as a fraction of the lower one. */
function deviation(a: number, b: number): number {
  return Math.abs(a - b) / Math.min(a, b);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
