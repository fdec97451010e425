import {
  systemClock,
  type Clock,
  type ClockTimer,
  type SequencedTick,
  type StatusMessage,
  type StatusReport,
  type TicksMessage,
  type WireTick,
} from "@cryptostream/core";
import type { ClientSession } from "./session";
import { textFrame } from "./ws-frame";

interface Group {
  symbols: ReadonlySet<string> | undefined;
  sessions: Set<ClientSession>;
  /** Throttled groups get at most one message per this many ms: the latest tick of each symbol that changed. */
  throttleMs: number | undefined;
  /** A throttled group's latest tick per symbol since its last message, and the symbols that skipped ticks. */
  latest?: Map<string, SequencedTick>;
  skipped?: Set<string>;
  timer?: ClockTimer | undefined;
  lastSentAt?: number;
}

export interface HubOptions {
  /** Throttled groups' timers go by it; the system clock by default. */
  clock?: Clock;
  /** Schedules a flush; ticks that arrive before it runs go out together. */
  schedule?: (flush: () => void) => void;
  /** After each flush, with when each flushed tick was stored in JetStream (ms since epoch). */
  onFlush?: (storedAtMs: readonly number[]) => void;
  /** A group's message was written to `messages` sockets, `bytes` of payload each. */
  onSent?: (bytes: number, messages: number) => void;
}

/**
 * Fans ticks out to every session. Ticks arriving together are batched into one
 * `ticks` message per subscription and throttle, encoded and framed once for every
 * session that shares it. The latest ticks reflect exactly what was flushed, so a snapshot taken
 * between flushes joins the live stream with no tick twice and none missed.
 */
export class BroadcastHub {
  private readonly latest = new Map<string, SequencedTick>();
  private readonly groups = new Map<string, Group>();
  private readonly sessions = new Set<ClientSession>();
  private pending: SequencedTick[] = [];
  private pendingStoredAt: number[] = [];
  private flushScheduled = false;
  private flushedSeq = 0;
  private readonly schedule: (flush: () => void) => void;

  private readonly clock: Clock;

  constructor(private readonly options: HubOptions = {}) {
    this.schedule = options.schedule ?? setImmediate;
    this.clock = options.clock ?? systemClock;
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** Seq of the last tick flushed to clients. */
  get lastSeq(): number {
    return this.flushedSeq;
  }

  /** Pings every client, dropping those that missed two pings. */
  heartbeat(): void {
    for (const session of this.sessions) session.heartbeat();
  }

  /** Every connected session, for shutdown. */
  allSessions(): IterableIterator<ClientSession> {
    return this.sessions.values();
  }

  knows(symbol: string): boolean {
    return this.latest.has(symbol);
  }

  symbols(): string[] {
    return [...this.latest.keys()].sort();
  }

  /** The latest flushed tick of each symbol the session wants, in stream order. */
  snapshotFor(session: ClientSession): SequencedTick[] {
    return [...this.latest.values()].filter((tick) => session.wants(tick.symbol)).sort((a, b) => a.seq - b.seq);
  }

  add(session: ClientSession): void {
    this.sessions.add(session);
    this.join(session);
  }

  remove(session: ClientSession): void {
    this.sessions.delete(session);
    this.leave(session);
    session.dispose();
  }

  /** Changes a session's subscription (undefined: every symbol) and, when given, its throttle (0: none). */
  subscribe(session: ClientSession, symbols: ReadonlySet<string> | undefined, throttleMs?: number): void {
    this.leave(session);
    session.symbols = symbols;
    if (throttleMs !== undefined) session.throttleMs = throttleMs > 0 ? throttleMs : undefined;
    this.join(session);
  }

  /** `PRICES` was made again under the feed (a lost store): forgets its ticks and every session starts over on the new epoch. */
  startOver(epoch: string): void {
    this.pending = [];
    this.pendingStoredAt = [];
    this.latest.clear();
    this.flushedSeq = 0;
    for (const session of this.sessions) session.startOver(epoch);
  }

  publish(tick: SequencedTick, storedAtMs = this.clock.now()): void {
    this.pending.push(tick);
    this.pendingStoredAt.push(storedAtMs);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const ticks = this.pending;
    const storedAt = this.pendingStoredAt;
    this.pending = [];
    this.pendingStoredAt = [];
    for (const tick of ticks) this.latest.set(tick.symbol, tick);
    this.flushedSeq = ticks[ticks.length - 1]!.seq;
    for (const group of this.groups.values()) {
      const selected = group.symbols ? ticks.filter((tick) => group.symbols!.has(tick.symbol)) : ticks;
      if (selected.length === 0) continue;
      if (group.throttleMs !== undefined) this.holdForThrottle(group, selected);
      else this.deliverToGroup(group, selected);
    }
    this.options.onFlush?.(storedAt);
  }

  /** A status change to every session: the symbols it subscribes to and every source, encoded once per group. */
  sendStatus(change: StatusReport): void {
    for (const group of this.groups.values()) {
      const symbols = group.symbols ? pickSymbols(change.symbols, group.symbols) : change.symbols;
      const references = change.references && group.symbols ? pickSymbols(change.references, group.symbols) : (change.references ?? {});
      const hasReferences = Object.keys(references).length > 0;
      if (Object.keys(symbols).length === 0 && Object.keys(change.sources).length === 0 && !hasReferences) continue;
      const message: StatusMessage = { type: "status", symbols, sources: change.sources, ...(hasReferences && { references }) };
      const text = JSON.stringify(message);
      for (const session of group.sessions) session.sendEncoded(text);
    }
  }

  /** Keeps the latest of each symbol for a throttled group, and schedules its next message no later than one interval on. */
  private holdForThrottle(group: Group, ticks: readonly SequencedTick[]): void {
    group.latest ??= new Map();
    group.skipped ??= new Set();
    for (const tick of ticks) {
      if (group.latest.has(tick.symbol)) group.skipped.add(tick.symbol);
      group.latest.set(tick.symbol, tick);
    }
    if (group.timer) return;
    const due = Math.max(0, (group.lastSentAt ?? 0) + group.throttleMs! - this.clock.now());
    group.timer = this.clock.setTimeout(() => this.sendThrottled(group), due);
  }

  private sendThrottled(group: Group): void {
    group.timer = undefined;
    group.lastSentAt = this.clock.now();
    const skipped = group.skipped!;
    const ticks = [...group.latest!.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((tick): WireTick => (skipped.has(tick.symbol) ? { ...tick, conflated: true } : tick));
    group.latest!.clear();
    skipped.clear();
    if (ticks.length > 0) this.deliverToGroup(group, ticks);
  }

  /** One `ticks` message, encoded and framed once, written as the same bytes to every session of a group. */
  private deliverToGroup(group: Group, ticks: WireTick[]): void {
    const message: TicksMessage = { type: "ticks", ticks };
    const payload = Buffer.from(JSON.stringify(message));
    const frame = textFrame(payload);
    let written = 0;
    for (const session of group.sessions) if (session.deliver(ticks, frame)) written++;
    if (written > 0) this.options.onSent?.(payload.length * written, written);
  }

  private join(session: ClientSession): void {
    const key = session.subscriptionKey;
    let group = this.groups.get(key);
    if (!group) {
      group = { symbols: session.symbols, sessions: new Set(), throttleMs: session.throttleMs };
      this.groups.set(key, group);
    }
    group.sessions.add(session);
  }

  private leave(session: ClientSession): void {
    const key = session.subscriptionKey;
    const group = this.groups.get(key);
    if (!group) return;
    group.sessions.delete(session);
    if (group.sessions.size > 0) return;
    group.timer?.clear();
    this.groups.delete(key);
  }
}

function pickSymbols<Value>(symbols: Record<string, Value>, wanted: ReadonlySet<string>): Record<string, Value> {
  return Object.fromEntries(Object.entries(symbols).filter(([symbol]) => wanted.has(symbol)));
}
