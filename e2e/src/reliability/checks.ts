import { CandleAggregator, candleMsgId, type Candle, type SequencedTick, type Tick } from "@cryptostream/core";

/** An event a venue of the simulated exchange sent to at least one ingest connection. */
export interface UpstreamEvent {
  venue: string;
  symbol: string;
  ts: number;
  price: number;
}

export interface StreamCheck {
  events: number;
  ticks: number;
  /** Events not in the stream. */
  missing: number;
  /** Events in the stream more than once. */
  duplicated: number;
  /** Ticks in the stream that no event explains. */
  unknown: number;
}

/** Every upstream event must be in the venues' stream exactly once (as a tick of its venue), and nothing else. */
export function checkStream(events: readonly UpstreamEvent[], ticks: readonly Tick[]): StreamCheck {
  const key = (item: UpstreamEvent) => `${item.venue}:${item.symbol}:${item.ts}:${item.price}`;
  const counts = new Map<string, number>();
  for (const tick of ticks) {
    const k = key({ ...tick, venue: tick.source });
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let missing = 0;
  let duplicated = 0;
  const expected = new Set<string>();
  for (const event of events) {
    const k = key(event);
    expected.add(k);
    const count = counts.get(k) ?? 0;
    if (count === 0) missing++;
    if (count > 1) duplicated += count - 1;
  }
  let unknown = 0;
  for (const [k, count] of counts) if (!expected.has(k)) unknown += count;
  return { events: events.length, ticks: ticks.length, missing, duplicated, unknown };
}

export interface ClientRecord {
  symbols: readonly string[] | undefined;
  snapshotSeq: number | undefined;
  received: readonly number[];
}

export interface ClientCheck {
  /** Ticks the client should have seen. */
  expected: number;
  missing: number;
  /** Seqs received again, or out of order. */
  duplicated: number;
  /** Seqs received that are not ticks of its symbols. */
  unknown: number;
  firstMissing?: number;
}

/** A client must see every tick of its symbols after its first snapshot, once and in order. */
export function checkClient(client: ClientRecord, ticks: readonly SequencedTick[]): ClientCheck {
  const wanted = client.symbols ? new Set(client.symbols) : undefined;
  const start = client.snapshotSeq ?? Number.POSITIVE_INFINITY;
  const expected = new Set<number>();
  for (const tick of ticks) if (tick.seq > start && (!wanted || wanted.has(tick.symbol))) expected.add(tick.seq);
  let duplicated = 0;
  let unknown = 0;
  let previous = 0;
  const seen = new Set<number>();
  for (const seq of client.received) {
    if (seq <= previous || seen.has(seq)) duplicated++;
    else if (!expected.has(seq)) unknown++;
    seen.add(seq);
    previous = Math.max(previous, seq);
  }
  let missing = 0;
  let firstMissing: number | undefined;
  for (const seq of expected) {
    if (seen.has(seq)) continue;
    missing++;
    firstMissing ??= seq;
  }
  return { expected: expected.size, missing, duplicated, unknown, ...(firstMissing !== undefined && { firstMissing }) };
}

export interface HistoryCheck {
  symbols: number;
  /** Symbols whose kept ticks differ from the last 50 of the stream. */
  mismatched: string[];
}

/** Each symbol's kept ticks must be the last `depth` ticks of that symbol in the stream, in order. */
export function checkHistory(kept: ReadonlyMap<string, readonly SequencedTick[]>, ticks: readonly SequencedTick[], depth: number): HistoryCheck {
  const bySymbol = new Map<string, number[]>();
  for (const tick of ticks) {
    const seqs = bySymbol.get(tick.symbol) ?? [];
    seqs.push(tick.seq);
    bySymbol.set(tick.symbol, seqs);
  }
  const mismatched: string[] = [];
  for (const [symbol, seqs] of bySymbol) {
    const want = seqs.slice(-depth).join(",");
    const have = (kept.get(symbol) ?? []).map((tick) => tick.seq).join(",");
    if (want !== have) mismatched.push(symbol);
  }
  return { symbols: bySymbol.size, mismatched };
}

export interface CandleCheck {
  /** Closed candles a fold of the whole stream gives. */
  expected: number;
  /** Candles computed from ticks in `CANDLES`. */
  stored: number;
  /** Candles backfilled from an exchange; each must be once, and where no candle from ticks is. */
  backfilled: number;
  missing: number;
  /** Candles stored more than once. */
  duplicated: number;
  /** Stored candles that differ from the recomputation, or that it does not give. */
  different: string[];
}

/**
 * Every closed candle of the stream must be stored exactly once, equal to a fold of the stream
 * from its first tick; a backfilled candle must be stored once, for a bar no tick made.
 */
export function checkCandles(all: readonly Candle[], ticks: readonly SequencedTick[]): CandleCheck {
  const aggregator = new CandleAggregator();
  const expected = new Map(ticks.flatMap((tick) => aggregator.add(tick)).map((candle) => [candleMsgId(candle), candle]));
  const stored = all.filter((candle) => candle.source === "ticks");
  const backfilled = all.filter((candle) => candle.source !== "ticks");
  const seen = new Set<string>();
  let duplicated = 0;
  const different: string[] = [];
  const fromTicks = new Set(stored.map(candleMsgId));
  for (const candle of backfilled) {
    const id = candleMsgId(candle);
    if (seen.has(id)) duplicated++;
    if (fromTicks.has(id)) different.push(`${id} (backfilled over ticks)`);
    seen.add(id);
  }
  seen.clear();
  for (const candle of stored) {
    const id = candleMsgId(candle);
    if (seen.has(id)) duplicated++;
    seen.add(id);
    if (JSON.stringify(candle) !== JSON.stringify(expected.get(id))) different.push(id);
  }
  const missing = [...expected.keys()].filter((id) => !seen.has(id)).length;
  return { expected: expected.size, stored: stored.length, backfilled: backfilled.length, missing, duplicated, different };
}

export interface LeaseCheck {
  /** Times an instance took the writer lease, and how (see history's `WriterTakeoverReason`). */
  taken: number;
  how: Record<string, number>;
  /** Times an instance lost or gave it up, and why. */
  why: Record<string, number>;
  /** Writes refused by their revision check: a stale writer's fenced off, or a retry of one whose ack was lost. */
  conflicts: number;
  /** Takeovers that were not clean: the lease taken from a live holder, or a revision that went back. */
  unclean: string[];
}

const CLEAN_TAKEOVERS = new Set(["vacant", "expired", "handed_over", "renewed"]);

/** From the history instances' JSON logs: every takeover found the lease free, and the lease's revisions only grew. */
export function checkLease(logs: readonly string[]): LeaseCheck {
  const lines = logs
    .flatMap((log) => log.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg: string; time: number; instance?: string; revision?: number; how?: string; why?: string });
  const takes = lines.filter((line) => line.msg === "took the writer lease").sort((a, b) => a.time - b.time);
  const count = (values: string[]) => {
    const counts: Record<string, number> = {};
    for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  };
  const unclean: string[] = [];
  takes.forEach((take, i) => {
    if (!CLEAN_TAKEOVERS.has(take.how ?? "")) unclean.push(`${take.instance} took it ${take.how}`);
    const before = takes[i - 1];
    if (before && (take.revision ?? 0) <= (before.revision ?? 0)) unclean.push(`${take.instance} took revision ${take.revision} after ${before.revision}`);
  });
  return {
    taken: takes.length,
    how: count(takes.map((take) => take.how ?? "unknown")),
    why: count(lines.filter((line) => line.why && line.msg.includes("writer lease")).map((line) => line.why!)),
    conflicts: lines.filter((line) => /^(price_history write|CANDLES publish) refused/.test(line.msg)).length,
    unclean,
  };
}
