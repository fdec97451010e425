import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { textFrame } from "./ws-frame";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Writes `frames` straight to the TCP socket of an upgraded connection; resolves with what a real `ws` client received. */
async function receivedBy(frames: Buffer[]): Promise<string[]> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      for (const frame of frames) socket.write(frame);
      ws.send("done");
    }),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => server.close());
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  cleanups.push(() => client.terminate());
  const received: string[] = [];
  return new Promise((resolve, reject) => {
    client.on("error", reject);
    client.on("message", (data, isBinary) => {
      expect(isBinary).toBe(false);
      if (data.toString() === "done") resolve(received);
      else received.push(data.toString());
    });
  });
}

describe("textFrame", () => {
  it("frames payloads of every length class so a real client reads them back exactly, between ws's own frames", async () => {
    // 7-bit, 16-bit and 64-bit lengths, at their edges; multi-byte UTF-8 counts bytes, not characters.
    const payloads = [0, 1, 125, 126, 65_535, 65_536, 300_000].map((length) => "x".repeat(length));
    payloads.push("€ price ₿");
    expect(await receivedBy(payloads.map((text) => textFrame(Buffer.from(text))))).toEqual(payloads);
  });
});
