import {
  CLOSE_CODES,
  systemClock,
  type Clock,
  type ClockTimer,
  type SequencedTick,
  type ServerMessage,
  type TicksMessage,
  type WireTick,
} from "@cryptostream/core";
import { textFrame, type FrameSink } from "./ws-frame";

/** What a session needs of its socket; `ws`'s WebSocket fits. */
export interface SessionSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

export interface SlowClientLimits {
  /** Past this many bytes waiting in the socket, the client gets only the latest tick per symbol. */
  softBytes: number;
  /** Past this many, it is closed. */
  hardBytes: number;
}

export interface SessionEvents {
  /** Messages written to clients, and their payload bytes. */
  onSent?: (bytes: number, messages?: number) => void;
  onConflated?: () => void;
  onSlowClose?: () => void;
}

const OPEN = 1;
/** Close code for a client that cannot keep up. */
export const SLOW_CLIENT_CLOSE = CLOSE_CODES.policyViolation;
/** Most ticks in one `ticks` or `replay` message. */
export const PAGE = 500;
const DRAIN_CHECK_MS = 50;
/** Live ticks held for one client while a resume reads the stream; past this, the resume ends in `reset`. */
export const MAX_HELD_TICKS = 50_000;
const TEXT_FRAME = { binary: false };

/** One client connection: its subscription, and how ticks reach it. */
export class ClientSession {
  /** Subscribed symbols; undefined means every symbol. */
  symbols: ReadonlySet<string> | undefined;
  /** Seq of the last tick sent. */
  lastSeq = 0;
  /** Heartbeats sent since the client last answered one. */
  missedPongs = 0;
  private held: SequencedTick[] | undefined;
  /** More live ticks arrived during a resume than {@link MAX_HELD_TICKS}: the client must start over. */
  heldOverflowed = false;
  /** Latest tick per symbol while the client is too slow; created only then, since most clients never are. */
  private conflated: Map<string, SequencedTick> | undefined;
  private drainTimer: ClockTimer | undefined;

  /**
   * `wire` is the connection's TCP socket: a live batch, framed once for every session that
   * gets it, is written there as is. `ws` writes each of its frames to that same socket whole,
   * in one synchronous call, and queues none (no compression), so the two never interleave.
   */
  constructor(
    readonly socket: SessionSocket,
    private readonly wire: FrameSink,
    private readonly limits: SlowClientLimits,
    private readonly events: SessionEvents = {},
    private readonly clock: Clock = systemClock,
  ) {}

  /** At most one message per this many ms (the latest tick of each symbol that changed); undefined: every tick. */
  throttleMs: number | undefined;

  /** Sessions with the same key share one encoded message per batch. */
  get subscriptionKey(): string {
    const symbols = this.symbols ? [...this.symbols].sort().join(",") : "*";
    return this.throttleMs === undefined ? symbols : `${symbols}|${this.throttleMs}`;
  }

  wants(symbol: string): boolean {
    return !this.symbols || this.symbols.has(symbol);
  }

  send(message: ServerMessage): void {
    this.write(JSON.stringify(message));
  }

  /** A message already encoded, for every session that gets it. */
  sendEncoded(text: string): void {
    this.write(text);
  }

  /** Sends ticks as `ticks` messages of at most 500. */
  sendTicks(ticks: readonly WireTick[]): void {
    for (let i = 0; i < ticks.length; i += PAGE) {
      const page = ticks.slice(i, i + PAGE);
      const message: TicksMessage = { type: "ticks", ticks: page };
      this.write(JSON.stringify(message));
      this.lastSeq = page[page.length - 1]!.seq;
    }
  }

  /**
   * A flushed batch, already narrowed to this session's symbols, encoded and framed once as a
   * text message for every session with the same subscription. True when `frame` was written
   * (the caller counts it); false when the session held, conflated or dropped it, or wrote (and
   * counted) a message of its own.
   */
  deliver(ticks: readonly SequencedTick[], frame: Buffer): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.held) {
      if (this.held.length + ticks.length > MAX_HELD_TICKS) this.heldOverflowed = true;
      else this.held.push(...ticks);
      return false;
    }
    let ownBytes: number | undefined;
    if (ticks[0]!.seq <= this.lastSeq) {
      // This hub is behind the client (it resumed here from a further point, while this
      // instance's feed catches up after a reconnect): only what the client has not had.
      ticks = ticks.filter((tick) => tick.seq > this.lastSeq);
      if (ticks.length === 0) return false;
      const payload = Buffer.from(JSON.stringify({ type: "ticks", ticks: [...ticks] } satisfies TicksMessage));
      frame = textFrame(payload);
      ownBytes = payload.length;
    }
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.limits.hardBytes) {
      this.closeSlow(`too slow: over ${this.limits.hardBytes} bytes waiting`);
      return false;
    }
    if (this.conflated || buffered > this.limits.softBytes) {
      this.conflated ??= new Map();
      for (const tick of ticks) this.conflated.set(tick.symbol, tick);
      this.events.onConflated?.();
      this.scheduleDrainCheck();
      return false;
    }
    // Open and under the hard limit, both just checked: no second check per client per flush.
    this.wire.write(frame);
    this.lastSeq = ticks[ticks.length - 1]!.seq;
    if (ownBytes === undefined) return true;
    this.events.onSent?.(ownBytes);
    return false;
  }

  /** Holds live ticks back while older ones are read from the stream. */
  hold(): void {
    this.held ??= [];
  }

  /** Goes live without what was held, after a `reset` and a fresh snapshot made the held ticks moot. */
  dropHeld(lastSeq: number): void {
    this.held = undefined;
    this.heldOverflowed = false;
    this.lastSeq = Math.max(this.lastSeq, lastSeq);
  }

  /** The stream was made again and counts from 1: the client is told (`reset`, with an empty snapshot) and nothing of before is kept. */
  startOver(epoch: string): void {
    this.held = undefined;
    this.heldOverflowed = false;
    this.conflated = undefined;
    this.lastSeq = 0;
    this.send({ type: "reset", epoch });
    this.send({ type: "snapshot", ticks: [] });
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * For a sender that can go at the client's pace (replay, resume): undefined while the socket
   * holds no more than the soft limit; else a promise that settles once it does, or once the
   * socket closes. A client that has not drained within `timeoutMs` is closed as too slow.
   */
  whenDrained(timeoutMs: number): Promise<void> | undefined {
    if (!this.isOpen || this.socket.bufferedAmount <= this.limits.softBytes) return undefined;
    const giveUpAt = this.clock.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (!this.isOpen || this.socket.bufferedAmount <= this.limits.softBytes) return resolve();
        if (this.clock.now() >= giveUpAt) {
          this.closeSlow(`too slow: over ${this.limits.softBytes} bytes waiting for ${timeoutMs} ms`);
          return resolve();
        }
        this.clock.setTimeout(check, DRAIN_CHECK_MS);
      };
      this.clock.setTimeout(check, DRAIN_CHECK_MS);
    });
  }

  /** Sends what was held after `afterSeq` and goes live. */
  release(afterSeq: number): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.lastSeq = Math.max(this.lastSeq, afterSeq);
    this.sendTicks(held.filter((tick) => tick.seq > this.lastSeq));
  }

  /** Pings the client, or drops it when it has not answered the last two pings. */
  heartbeat(): void {
    if (this.missedPongs >= 2) return this.socket.terminate();
    this.missedPongs++;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    this.drainTimer?.clear();
    this.socket.close(code, reason);
  }

  dispose(): void {
    this.drainTimer?.clear();
  }

  private closeSlow(reason: string): void {
    this.close(SLOW_CLIENT_CLOSE, reason);
    this.events.onSlowClose?.();
  }

  /** Every message goes through here: none is queued for a client already past the hard limit. */
  private write(data: string | Buffer): void {
    if (this.socket.readyState !== OPEN) return;
    if (this.socket.bufferedAmount > this.limits.hardBytes) return this.closeSlow(`too slow: over ${this.limits.hardBytes} bytes waiting`);
    this.emit(data);
  }

  private emit(data: string | Buffer): void {
    this.socket.send(data, TEXT_FRAME);
    this.events.onSent?.(data.length);
  }

  private scheduleDrainCheck(): void {
    if (this.drainTimer) return;
    this.drainTimer = this.clock.setTimeout(() => {
      this.drainTimer = undefined;
      if (this.socket.readyState !== OPEN || !this.conflated) return;
      if (this.socket.bufferedAmount > this.limits.softBytes) return this.scheduleDrainCheck();
      const latest = [...this.conflated.values()].sort((a, b) => a.seq - b.seq);
      this.conflated = undefined;
      this.sendTicks(latest.map((tick): WireTick => ({ ...tick, conflated: true })));
    }, DRAIN_CHECK_MS);
  }
}
