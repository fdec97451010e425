import WebSocket, { type ClientOptions } from "ws";
import { waitFor } from "./wait-for";

export interface ReceivedMessage {
  type: string;
  [field: string]: unknown;
}

/** A WebSocket client for tests that keeps every JSON message it receives. */
export class WsTestClient {
  readonly messages: ReceivedMessage[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.messages.push(JSON.parse(data.toString()) as ReceivedMessage));
    socket.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static open(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new WsTestClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
    });
  }

  /** The HTTP status and body with which a server refuses an upgrade. */
  static refusal(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once("open", () => {
        socket.close();
        reject(new Error("the upgrade was accepted"));
      });
      socket.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      socket.once("error", () => undefined);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Resolves with the close code once the server has closed the connection. */
  closed(timeoutMs = 10_000): Promise<number> {
    return waitFor("the connection to close", () => this.closeCode, timeoutMs);
  }

  /** Waits for the first message that matches, and returns it. */
  waitForMessage(match: (message: ReceivedMessage) => boolean, what = "a matching message", timeoutMs = 10_000) {
    return waitFor(what, () => this.messages.find(match), timeoutMs);
  }

  ofType<T = ReceivedMessage>(type: string): T[] {
    return this.messages.filter((m) => m.type === type) as T[];
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}
