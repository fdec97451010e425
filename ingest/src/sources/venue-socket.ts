import type { ClockTimer } from "@cryptostream/core";
import WebSocket from "ws";
import type { ConnectionBudget } from "./connection-budget";
import { UpstreamSocket, type UpstreamSocketOptions } from "./upstream-socket";

export interface VenueSocketOptions extends UpstreamSocketOptions {
  /** The venue's name, for logs. */
  venue: string;
  url: string;
  /** What to send once open, in order, spaced by `sendSpacingMs`: the venue's subscriptions. */
  subscriptions: () => string[];
  /** The venue's limit on messages a client may send: at least this long between two. */
  sendSpacingMs: number;
  onFrame: (text: string) => void;
  /** Connection attempts allowed by the venue. */
  budget?: ConnectionBudget;
}

/**
 * One WebSocket connection to a venue that subscribes as soon as it opens, reconnects until
 * closed with exponential backoff and full jitter, and treats silence as a dead connection.
 */
export class VenueSocket extends UpstreamSocket {
  private readonly sendTimers = new Set<ClockTimer>();

  constructor(private readonly options: VenueSocketOptions) {
    super(options, options.venue);
  }

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.stopTimers();
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
    socket.on("close", (code, reason) => {
      if (this.socket !== socket || this.closed) return;
      this.sendTimers.forEach((timer) => timer.clear());
      this.sendTimers.clear();
      this.scheduleReconnect(openedAt, code, reason.toString(), () => this.connect());
    });
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
}
