import WebSocket from "ws";
import { waitFor } from "./wait-for";

export interface ReceivedMessage {
  type: string;
  [field: string]: unknown;
}

/** A WebSocket client for tests that keeps every JSON message it receives. */
export class WsTestClient {
  readonly messages: ReceivedMessage[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.messages.push(JSON.parse(data.toString()) as ReceivedMessage));
    socket.on("close", (code) => (this.closeCode = code));
  }

  static open(url: string): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new WsTestClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
    });
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
