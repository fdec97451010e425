import { backoffDelay, combinedStreamPath, type Logger } from "@cryptostream/core";
import WebSocket from "ws";

export interface BinanceFeedOptions {
  /** `wss://stream.binance.com:9443` or a simulated exchange. */
  baseUrl: string;
  /** Lowercase pairs such as `btcusdt`; at most 1024 per connection. */
  pairs: readonly string[];
  onFrame: (text: string) => void;
  logger: Logger;
  /** Silence longer than this is a dead connection: reconnect. */
  staleAfterMs: number;
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
}

export interface FeedStatus {
  connected: boolean;
  lastMessageAt: number | undefined;
  connects: number;
  errors: number;
}

/** One combined-stream connection to Binance that reconnects until closed. */
export class BinanceFeed {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private closed = false;
  private staleTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly state: FeedStatus = { connected: false, lastMessageAt: undefined, connects: 0, errors: 0 };

  constructor(private readonly options: BinanceFeedOptions) {}

  start(): void {
    this.connect();
  }

  status(): Readonly<FeedStatus> {
    return this.state;
  }

  /** Drops the current connection and opens a new one (after `serverShutdown`, for example). */
  reconnect(reason: string): void {
    this.options.logger.info({ reason }, "binance reconnecting");
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.staleTimer);
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, "closing");
  }

  private connect(): void {
    const { baseUrl, pairs, logger } = this.options;
    const url = baseUrl.replace(/\/$/, "") + combinedStreamPath(pairs);
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    this.armStaleTimer();

    socket.on("open", () => {
      this.attempt = 0;
      this.state.connected = true;
      this.state.connects++;
      logger.info({ streams: pairs.length }, "binance connected");
    });
    socket.on("ping", () => this.armStaleTimer());
    socket.on("message", (data, isBinary) => {
      this.state.lastMessageAt = Date.now();
      this.armStaleTimer();
      if (!isBinary) this.options.onFrame(data.toString());
    });
    socket.on("error", (error) => {
      this.state.errors++;
      logger.warn({ err: error.message }, "binance connection error");
    });
    socket.on("close", (code, reason) => {
      this.state.connected = false;
      clearTimeout(this.staleTimer);
      if (this.socket !== socket || this.closed) return;
      const delay = backoffDelay(this.attempt++, { ...this.options.backoff, random: this.options.random });
      logger.warn({ code, reason: reason.toString(), retryInMs: delay }, "binance connection closed");
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private armStaleTimer(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      this.options.logger.warn({ staleAfterMs: this.options.staleAfterMs }, "binance silent, reconnecting");
      this.state.errors++;
      this.socket?.terminate();
    }, this.options.staleAfterMs);
  }
}
