import { backoffDelay, systemClock, type Clock, type ClockTimer, type Logger, type UpstreamErrorReason } from "@cryptostream/core";
import type WebSocket from "ws";

export interface FeedStatus {
  connected: boolean;
  lastMessageAt: number | undefined;
  connects: number;
  errors: number;
}

export interface UpstreamSocketOptions {
  /** A connection ended other than by `close()`: `stale`, `closed`, `closed_abnormally`, `connect_failed`, or the reason given to `reconnect`. */
  onDisconnect?: (reason: UpstreamErrorReason) => void;
  logger: Logger;
  /** Silence longer than this is a dead connection: reconnect. */
  staleAfterMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** The backoff starts again from its base only after a connection has stayed up this long. */
  stableAfterMs?: number;
  random?: () => number;
  /** Staleness and backoff go by it; the system clock by default. */
  clock?: Clock;
}

/**
 * What every WebSocket feed of a venue shares: its status, staleness (silence is a dead
 * connection), and reconnecting with exponential backoff and full jitter, reset only after a
 * connection stayed up `stableAfterMs`, so a flapping upstream is not hammered.
 */
export abstract class UpstreamSocket {
  protected socket: WebSocket | undefined;
  protected closed = false;
  protected reconnectTimer: ClockTimer | undefined;
  protected readonly state: FeedStatus = { connected: false, lastMessageAt: undefined, connects: 0, errors: 0 };
  protected readonly clock: Clock;
  private attempt = 0;
  /** Why this feed is dropping its connection, for `onDisconnect`. */
  private dropReason: UpstreamErrorReason | undefined;
  private staleTimer: ClockTimer | undefined;

  constructor(
    private readonly upstream: UpstreamSocketOptions,
    /** The venue's name, for logs. */
    protected readonly venue: string,
  ) {
    this.clock = upstream.clock ?? systemClock;
  }

  status(): Readonly<FeedStatus> {
    return this.state;
  }

  /** Drops the current connection and opens a new one, reporting `reason`. */
  reconnect(reason: UpstreamErrorReason): void {
    this.upstream.logger.info({ reason }, `${this.venue} reconnecting`);
    this.dropReason = reason;
    this.socket?.terminate();
  }

  protected stopTimers(): void {
    this.staleTimer?.clear();
    this.reconnectTimer?.clear();
  }

  /** A message (or a ping) arrived: the connection is alive for another `staleAfterMs`. */
  protected armStaleTimer(): void {
    this.staleTimer?.clear();
    this.staleTimer = this.clock.setTimeout(() => {
      this.upstream.logger.warn({ staleAfterMs: this.upstream.staleAfterMs }, `${this.venue} silent, reconnecting`);
      this.state.errors++;
      this.dropReason = "stale";
      this.socket?.terminate();
    }, this.upstream.staleAfterMs);
  }

  /** The connection opened at `openedAt` (undefined: it never did) has ended: says why and connects again after the backoff. */
  protected scheduleReconnect(openedAt: number | undefined, code: number, reason: string, connect: () => void): void {
    this.state.connected = false;
    this.staleTimer?.clear();
    if (openedAt !== undefined && this.clock.now() - openedAt >= (this.upstream.stableAfterMs ?? 30_000)) this.attempt = 0;
    const delay = backoffDelay(this.attempt++, { ...this.upstream.backoff, random: this.upstream.random });
    this.upstream.logger.warn({ code, reason, retryInMs: delay }, `${this.venue} connection closed`);
    this.upstream.onDisconnect?.(this.dropReason ?? (openedAt === undefined ? "connect_failed" : code === 1000 ? "closed" : "closed_abnormally"));
    this.dropReason = undefined;
    this.reconnectTimer = this.clock.setTimeout(connect, delay);
  }
}
