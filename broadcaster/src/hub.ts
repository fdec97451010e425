import type { SequencedTick, SnapshotMessage, TicksMessage } from "@cryptostream/core";

/** What the hub needs of a client connection; `ws`'s WebSocket fits. */
export interface ClientSocket {
  readonly readyState: number;
  send(data: string): void;
}

const OPEN = 1;

export interface HubOptions {
  /** Called with the encoded payload and how many clients it went to. */
  onFlush?: (payload: string, clients: number, ticks: number) => void;
  /** Schedules a flush; ticks that arrive before it runs go out together. */
  schedule?: (flush: () => void) => void;
}

/**
 * Fans ticks out to every client. Ticks arriving together are batched into one
 * `ticks` message, encoded once for all clients. The snapshot reflects exactly
 * the ticks already flushed, so a client never sees a tick twice or misses one.
 */
export class BroadcastHub {
  private readonly clients = new Set<ClientSocket>();
  private readonly latest = new Map<string, SequencedTick>();
  private pending: SequencedTick[] = [];
  private flushScheduled = false;
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly options: HubOptions = {}) {
    this.schedule = options.schedule ?? setImmediate;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get lastSeq(): number {
    let seq = 0;
    for (const tick of this.latest.values()) seq = Math.max(seq, tick.seq);
    return seq;
  }

  symbols(): string[] {
    return [...this.latest.keys()].sort();
  }

  /** Adds a client and sends it the snapshot. */
  add(client: ClientSocket): void {
    this.clients.add(client);
    const snapshot: SnapshotMessage = { type: "snapshot", ticks: [...this.latest.values()] };
    client.send(JSON.stringify(snapshot));
  }

  remove(client: ClientSocket): void {
    this.clients.delete(client);
  }

  publish(tick: SequencedTick): void {
    this.pending.push(tick);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const ticks = this.pending;
    this.pending = [];
    for (const tick of ticks) this.latest.set(tick.symbol, tick);
    const message: TicksMessage = { type: "ticks", ticks };
    const payload = JSON.stringify(message);
    let sent = 0;
    for (const client of this.clients) {
      if (client.readyState !== OPEN) continue;
      client.send(payload);
      sent++;
    }
    this.options.onFlush?.(payload, sent, ticks.length);
  }
}
