import { backoffDelay, systemClock, type Clock, type ClockTimer, type Logger, type UpstreamErrorReason } from "@cryptostream/core";
import WebSocket from "ws";
import type { ConnectionBudget } from "./connection-budget";
import type { FeedStatus } from "./binance-feed";

export interface VenueSocketOptions {
  /** The venue's name, for logs. */
  venue: string;
  url: string;
  /** What to send once open, in order, spaced by `sendSpacingMs`: the venue's subscriptions. */
  subscriptions: () => string[];
  /** The venue's limit on messages a client may send: at least this long between two. */
  sendSpacingMs: number;
  onFrame: (text: string) => void;
  /** A connection ended other than by `close()`: why. */
  onDisconnect?: (reason: UpstreamErrorReason) => void;
  logger: Logger;
  /** Silence (not even a heartbeat) longer than this is a dead connection: reconnect. */
  staleAfterMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Connection attempts allowed by the venue. */
  budget?: ConnectionBudget;
  /** The backoff starts again from its base only after a connection has stayed up this long. */
  stableAfterMs?: number;
  random?: () => number;
  clock?: Clock;
}

/**
 * One WebSocket connection to a venue that subscribes as soon as it opens, reconnects until
 * closed with exponential backoff and full jitter, and treats silence as a dead connection.
 */
export class VenueSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private dropReason: UpstreamErrorReason | undefined;
  private closed = false;
  private staleTimer: ClockTimer | undefined;
  private reconnectTimer: ClockTimer | undefined;
  private readonly sendTimers = new Set<ClockTimer>();
  private readonly state: FeedStatus = { connected: false, lastMessageAt: undefined, connects: 0, errors: 0 };
  private readonly clock: Clock;

  constructor(private readonly options: VenueSocketOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.connect();
  }

  status(): Readonly<FeedStatus> {
    return this.state;
  }

  /** Drops the connection and opens a new one, reporting `reason`. */
  reconnect(reason: UpstreamErrorReason): void {
    this.options.logger.info({ reason }, `${this.options.venue} reconnecting`);
    this.dropReason = reason;
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    this.staleTimer?.clear();
    this.reconnectTimer?.clear();
    this.sendTimers.forEach((timer) => timer.clear());
    this.socket?.close(1000, "closing");
  }

  private connect(): void {
    const { url, logger, budget, venue } = this.options;
    const allowed = budget?.take() ?? { ok: true };
    if (!allowed.ok) {
      logger.warn({ retryInMs: allowed.waitMs }, `${venue} connection attempts at their limit, waiting`);
      this.reconnectTimer = this.clock.setTimeout(() => this.connect(), allowed.waitMs + 1);
      return;
    }
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    this.armStaleTimer();
    let openedAt: number | undefined;
    socket.on("open", () => {
      openedAt = this.clock.now();
      this.state.connected = true;
      this.state.connects++;
      logger.info(`${venue} connected`);
      this.subscribe(socket);
    });
    socket.on("message", (data, isBinary) => {
      this.state.lastMessageAt = this.clock.now();
      this.armStaleTimer();
      if (!isBinary) this.options.onFrame(data.toString());
    });
    socket.on("error", (error) => {
      this.state.errors++;
      logger.warn({ err: error.message }, `${venue} connection error`);
    });
    socket.on("close", (code, reason) => this.onClose(socket, openedAt, code, reason.toString()));
  }

  private onClose(socket: WebSocket, openedAt: number | undefined, code: number, reason: string): void {
    if (this.socket !== socket || this.closed) return;
    this.state.connected = false;
    this.staleTimer?.clear();
    this.sendTimers.forEach((timer) => timer.clear());
    this.sendTimers.clear();
    if (openedAt !== undefined && this.clock.now() - openedAt >= (this.options.stableAfterMs ?? 30_000)) this.attempt = 0;
    const delay = backoffDelay(this.attempt++, { ...this.options.backoff, random: this.options.random });
    this.options.logger.warn({ code, reason, retryInMs: delay }, `${this.options.venue} connection closed`);
    this.options.onDisconnect?.(this.dropReason ?? (openedAt === undefined ? "connect_failed" : code === 1000 ? "closed" : "closed_abnormally"));
    this.dropReason = undefined;
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
  }

  /** The first message at once (a venue may close a connection that does not subscribe within seconds), the rest spaced. */
  private subscribe(socket: WebSocket): void {
    this.options.subscriptions().forEach((message, n) => {
      const send = () => {
        if (socket.readyState === WebSocket.OPEN) socket.send(message);
      };
      if (n === 0) return send();
      const timer: ClockTimer = this.clock.setTimeout(() => {
        this.sendTimers.delete(timer);
        send();
      }, n * this.options.sendSpacingMs);
      this.sendTimers.add(timer);
    });
  }

  private armStaleTimer(): void {
    this.staleTimer?.clear();
    this.staleTimer = this.clock.setTimeout(() => {
      this.options.logger.warn({ staleAfterMs: this.options.staleAfterMs }, `${this.options.venue} silent, reconnecting`);
      this.state.errors++;
      this.dropReason = "stale";
      this.socket?.terminate();
    }, this.options.staleAfterMs);
  }
}
