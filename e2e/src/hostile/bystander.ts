import type { ServerMessage } from "@cryptostream/core";
import WebSocket from "ws";

export interface LatencySummary {
  ticks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { ticks: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}

/**
 * An ordinary user of the board while others attack: subscribed to every symbol from an
 * address of its own, timing each live tick from the moment it was published to the
 * moment it arrives, and checking that its seqs have no gap.
 */
export class Bystander {
  private latencies: number[] = [];
  private lastSeq = 0;
  /** The upstream time of the newest live tick received. */
  latestTs = 0;
  gaps = 0;
  closedWith: number | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => this.receive(JSON.parse(data.toString()) as ServerMessage));
    socket.on("close", (code) => (this.closedWith = code));
  }

  static open(url: string, address: string): Promise<Bystander> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { "x-forwarded-for": address } });
      const bystander = new Bystander(socket);
      socket.once("open", () => resolve(bystander));
      socket.once("error", reject);
    });
  }

  /** The latencies since the last call, summarized, and a fresh start. */
  phase(): LatencySummary {
    const summary = summarize(this.latencies);
    this.latencies = [];
    return summary;
  }

  close(): void {
    this.socket.close();
  }

  private receive(message: ServerMessage): void {
    if (message.type === "snapshot") {
      this.lastSeq = Math.max(this.lastSeq, ...message.ticks.map((tick) => tick.seq));
      return;
    }
    if (message.type !== "ticks") return;
    const now = Date.now();
    for (const tick of message.ticks) {
      if (this.lastSeq > 0 && tick.seq !== this.lastSeq + 1) this.gaps++;
      this.lastSeq = tick.seq;
      this.latestTs = Math.max(this.latestTs, tick.ts);
      this.latencies.push(now - tick.ts);
    }
  }
}
