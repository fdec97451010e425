import type { ServerMessage, WireTick } from "@cryptostream/core";
import WebSocket from "ws";

/**
 * A WebSocket client that records the seq of every tick it receives and, when its
 * connection drops, reconnects to the next broadcaster with `resume=<last seq>`,
 * as the UI does. What it saw is checked against the stream afterwards.
 */
export class SeqCheckingClient {
  /** Seqs of the live and resumed ticks, in arrival order (the first snapshot excluded). */
  readonly received: number[] = [];
  /** Largest seq of the first snapshot: every tick of its symbols after it must arrive. */
  snapshotSeq: number | undefined;
  lastSeq = 0;
  connections = 0;
  resets = 0;
  conflated = 0;
  readonly errors: string[] = [];
  /** The first ticks received again or out of order, with when on which connection: to tell where they came from. */
  readonly repeats: { seq: number; after: number; connection: number; messageOnConnection: number; msAfterOpen: number; url: string }[] = [];
  private openedAt = 0;
  private messagesOnConnection = 0;
  private url = "";
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;

  constructor(
    private readonly urls: readonly string[],
    /** Subscribed symbols; undefined for all. */
    readonly symbols: readonly string[] | undefined,
    private readonly random: () => number,
  ) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private connect(): void {
    const url = new URL(this.urls[(this.connections + this.attempt) % this.urls.length]!);
    if (this.symbols) url.searchParams.set("symbols", this.symbols.join(","));
    if (this.snapshotSeq !== undefined) url.searchParams.set("resume", String(this.lastSeq));
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on("open", () => {
      this.openedAt = Date.now();
      this.messagesOnConnection = 0;
      this.url = url.toString();
      this.connections++;
      this.attempt = 0;
    });
    socket.on("message", (data) => this.receive(JSON.parse(data.toString()) as ServerMessage));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.stopped) return;
      this.attempt++;
      // Backoff with jitter, short: the chaos run restarts broadcasters within seconds.
      setTimeout(() => this.connect(), 100 + this.random() * Math.min(2_000, 200 * 2 ** this.attempt));
    });
  }

  private receive(message: ServerMessage): void {
    this.messagesOnConnection++;
    switch (message.type) {
      case "snapshot":
        if (this.snapshotSeq === undefined) {
          this.snapshotSeq = Math.max(0, ...message.ticks.map((tick) => tick.seq));
          this.lastSeq = this.snapshotSeq;
        }
        return;
      case "ticks":
        for (const tick of message.ticks) this.record(tick);
        return;
      case "reset":
        this.resets++;
        return;
      case "error":
        this.errors.push(`${message.code}: ${message.message}`);
        return;
    }
  }

  private record(tick: WireTick): void {
    if (tick.seq <= this.lastSeq && this.repeats.length < 3) {
      this.repeats.push({
        seq: tick.seq,
        after: this.lastSeq,
        connection: this.connections,
        messageOnConnection: this.messagesOnConnection,
        msAfterOpen: Date.now() - this.openedAt,
        url: this.url,
      });
    }
    this.received.push(tick.seq);
    if (tick.conflated) this.conflated++;
    if (tick.seq > this.lastSeq) this.lastSeq = tick.seq;
  }
}
