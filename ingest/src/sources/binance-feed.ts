import { combinedStreamPath, miniTickerStream, type ClockTimer } from "@cryptostream/core";
import WebSocket from "ws";
import type { ConnectionBudget } from "./connection-budget";
import { UpstreamSocket, type UpstreamSocketOptions } from "./upstream-socket";

export interface BinanceFeedOptions extends UpstreamSocketOptions {
  /** `wss://stream.binance.com:9443` or a simulated exchange. */
  baseUrl: string;
  /** Lowercase pairs such as `btcusdt`; at most 1024 per connection. */
  pairs: readonly string[];
  onFrame: (text: string) => void;
  /** Binance closes a connection after 24 h: open the next one and switch over before that. */
  maxConnectionAgeMs?: number;
  /** Connection attempts allowed, shared by every connection to Binance. */
  budget?: ConnectionBudget;
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
export class BinanceFeed extends UpstreamSocket {
  private rotateTimer: ClockTimer | undefined;
  private readonly subscribeTimers = new Set<ClockTimer>();
  private requestId = 0;

  constructor(private readonly options: BinanceFeedOptions) {
    super(options, "binance");
  }

  start(): void {
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.stopTimers();
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
      this.rotateTimer?.clear();
      this.scheduleReconnect(openedAt, code, reason.toString(), () => this.connect());
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
}
