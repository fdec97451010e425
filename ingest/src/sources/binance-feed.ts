import {
  backoffDelay,
  combinedStreamPath,
  miniTickerStream,
  systemClock,
  type Clock,
  type ClockTimer,
  type Logger,
  type UpstreamErrorReason,
} from "@cryptostream/core";
import WebSocket from "ws";
import type { ConnectionBudget } from "./connection-budget";

export interface BinanceFeedOptions {
  /** `wss://stream.binance.com:9443` or a simulated exchange. */
  baseUrl: string;
  /** Lowercase pairs such as `btcusdt`; at most 1024 per connection. */
  pairs: readonly string[];
  onFrame: (text: string) => void;
  /** A connection ended other than by `close()`: `stale`, `closed`, `closed_abnormally`, `connect_failed`, or the reason given to `reconnect`. */
  onDisconnect?: (reason: UpstreamErrorReason) => void;
  logger: Logger;
  /** Silence longer than this is a dead connection: reconnect. */
  staleAfterMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Binance closes a connection after 24 h: open the next one and switch over before that. */
  maxConnectionAgeMs?: number;
  /** Connection attempts allowed, shared by every connection to Binance. */
  budget?: ConnectionBudget;
  /** The backoff starts again from its base only after a connection has stayed up this long. */
  stableAfterMs?: number;
  random?: () => number;
  /** Staleness, the 24 h rotation, backoff and SUBSCRIBE spacing go by it; the system clock by default. */
  clock?: Clock;
}

export interface FeedStatus {
  connected: boolean;
  lastMessageAt: number | undefined;
  connects: number;
  errors: number;
}

/** Streams named in the URL; the rest are added with SUBSCRIBE, keeping the URL short. */
const STREAMS_IN_URL = 100;
const STREAMS_PER_SUBSCRIBE = 200;
/** Binance allows 5 incoming messages a second per connection; stay under it. */
const SUBSCRIBE_SPACING_MS = 250;
const DEFAULT_MAX_AGE_MS = 23 * 3_600_000 + 50 * 60_000;

/**
 * One combined-stream connection to Binance that reconnects until closed, with
 * exponential backoff and full jitter, replaces itself before the 24 h limit
 * without missing an event, and treats silence as a dead connection. Pings are
 * answered by `ws` with pongs echoing their payload.
 */
export class BinanceFeed {
  private socket: WebSocket | undefined;
  private attempt = 0;
  /** Why this feed is dropping its connection, for `onDisconnect`. */
  private dropReason: UpstreamErrorReason | undefined;
  private closed = false;
  private staleTimer: ClockTimer | undefined;
  private reconnectTimer: ClockTimer | undefined;
  private rotateTimer: ClockTimer | undefined;
  private readonly subscribeTimers = new Set<ClockTimer>();
  private requestId = 0;
  private readonly state: FeedStatus = { connected: false, lastMessageAt: undefined, connects: 0, errors: 0 };

  private readonly clock: Clock;

  constructor(private readonly options: BinanceFeedOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.connect();
  }

  status(): Readonly<FeedStatus> {
    return this.state;
  }

  /** Drops the current connection and opens a new one (after `serverShutdown`, for example). */
  reconnect(reason: UpstreamErrorReason): void {
    this.options.logger.info({ reason }, "binance reconnecting");
    this.dropReason = reason;
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    this.staleTimer?.clear();
    this.reconnectTimer?.clear();
    this.rotateTimer?.clear();
    this.subscribeTimers.forEach((timer) => timer.clear());
    this.socket?.close(1000, "closing");
  }

  /** Opens a connection; with `previous`, closes that one once the new one delivers its first event. */
  private connect(previous?: WebSocket): void {
    const { baseUrl, pairs, logger, budget } = this.options;
    const allowed = budget?.take() ?? { ok: true };
    if (!allowed.ok) {
      logger.warn({ retryInMs: allowed.waitMs }, "binance connection attempts at their limit, waiting");
      this.reconnectTimer = this.clock.setTimeout(() => this.connect(previous), allowed.waitMs + 1);
      return;
    }
    const url = baseUrl.replace(/\/$/, "") + combinedStreamPath(pairs.slice(0, STREAMS_IN_URL));
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    this.armStaleTimer();

    let openedAt: number | undefined;
    socket.on("open", () => {
      openedAt = this.clock.now();
      this.state.connected = true;
      this.state.connects++;
      logger.info({ streams: pairs.length, replacing: Boolean(previous) }, "binance connected");
      this.subscribeRest(socket);
      this.rotateTimer = this.clock.setTimeout(() => this.rotate(), this.options.maxConnectionAgeMs ?? DEFAULT_MAX_AGE_MS);
    });
    socket.on("ping", () => this.armStaleTimer());
    socket.on("message", (data, isBinary) => {
      this.state.lastMessageAt = this.clock.now();
      this.armStaleTimer();
      if (previous) {
        previous.close(1000, "replaced");
        previous = undefined;
      }
      if (!isBinary) this.options.onFrame(data.toString());
    });
    socket.on("error", (error) => {
      this.state.errors++;
      logger.warn({ err: error.message }, "binance connection error");
    });
    socket.on("close", (code, reason) => {
      if (this.socket !== socket || this.closed) return;
      // A replacement that failed before taking over: drop the old one too and start afresh.
      previous?.terminate();
      previous = undefined;
      this.state.connected = false;
      this.staleTimer?.clear();
      this.rotateTimer?.clear();
      // A connection that dies soon after opening does not reset the backoff: a flapping upstream is not hammered.
      if (openedAt !== undefined && this.clock.now() - openedAt >= (this.options.stableAfterMs ?? 30_000)) this.attempt = 0;
      const delay = backoffDelay(this.attempt++, { ...this.options.backoff, random: this.options.random });
      logger.warn({ code, reason: reason.toString(), retryInMs: delay }, "binance connection closed");
      this.options.onDisconnect?.(this.dropReason ?? (openedAt === undefined ? "connect_failed" : code === 1000 ? "closed" : "closed_abnormally"));
      this.dropReason = undefined;
      this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
    });
  }

  private rotate(): void {
    this.options.logger.info("binance connection near its 24 h limit: switching to a new one");
    const old = this.socket;
    this.connect(old);
  }

  private subscribeRest(socket: WebSocket): void {
    const rest = this.options.pairs.slice(STREAMS_IN_URL).map(miniTickerStream);
    for (let i = 0, n = 0; i < rest.length; i += STREAMS_PER_SUBSCRIBE, n++) {
      const params = rest.slice(i, i + STREAMS_PER_SUBSCRIBE);
      const timer: ClockTimer = this.clock.setTimeout(
        () => {
          this.subscribeTimers.delete(timer);
          if (socket.readyState === WebSocket.OPEN) {
            socket.send(JSON.stringify({ method: "SUBSCRIBE", params, id: ++this.requestId }));
          }
        },
        (n + 1) * SUBSCRIBE_SPACING_MS,
      );
      this.subscribeTimers.add(timer);
    }
  }

  private armStaleTimer(): void {
    this.staleTimer?.clear();
    this.staleTimer = this.clock.setTimeout(() => {
      this.options.logger.warn({ staleAfterMs: this.options.staleAfterMs }, "binance silent, reconnecting");
      this.state.errors++;
      this.dropReason = "stale";
      this.socket?.terminate();
    }, this.options.staleAfterMs);
  }
}
