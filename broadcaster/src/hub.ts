import type { SequencedTick } from "@cryptostream/core";
import type { ClientSession } from "./session";

interface Group {
  symbols: ReadonlySet<string> | undefined;
  sessions: Set<ClientSession>;
}

export interface HubOptions {
  /** Schedules a flush; ticks that arrive before it runs go out together. */
  schedule?: (flush: () => void) => void;
  /** After each flush, with when each flushed tick was stored in JetStream (ms since epoch). */
  onFlush?: (storedAtMs: readonly number[]) => void;
}

/**
 * Fans ticks out to every session. Ticks arriving together are batched into one
 * `ticks` message per subscription, encoded once for every session that shares
 * it. The latest ticks reflect exactly what was flushed, so a snapshot taken
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

  constructor(private readonly options: HubOptions = {}) {
    this.schedule = options.schedule ?? setImmediate;
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** Seq of the last tick flushed to clients. */
  get lastSeq(): number {
    return this.flushedSeq;
  }

  /** Every connected session, for heartbeats and shutdown. */
  /** Pings every client, dropping those that missed two pings. */
  heartbeat(): void {
    for (const session of this.sessions) session.heartbeat();
  }

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

  /** Changes a session's subscription; undefined subscribes to everything. */
  subscribe(session: ClientSession, symbols: ReadonlySet<string> | undefined): void {
    this.leave(session);
    session.symbols = symbols;
    this.join(session);
  }

  publish(tick: SequencedTick, storedAtMs = Date.now()): void {
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
      const payload = Buffer.from(JSON.stringify({ type: "ticks", ticks: selected }));
      for (const session of group.sessions) session.deliver(selected, payload);
    }
    this.options.onFlush?.(storedAt);
  }

  private join(session: ClientSession): void {
    const key = session.subscriptionKey;
    let group = this.groups.get(key);
    if (!group) {
      group = { symbols: session.symbols, sessions: new Set() };
      this.groups.set(key, group);
    }
    group.sessions.add(session);
  }

  private leave(session: ClientSession): void {
    const key = session.subscriptionKey;
    const group = this.groups.get(key);
    if (!group) return;
    group.sessions.delete(session);
    if (group.sessions.size === 0) this.groups.delete(key);
  }
}
