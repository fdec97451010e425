import type { SequencedTick } from "@cryptostream/core/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectFeed, feedUrl, type FeedHandlers } from "./feed";

/** A stand-in for the browser's WebSocket that the test opens, feeds and closes. */
class ScriptedSocket {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  readyState = 0;
  readonly sent: unknown[] = [];
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.onclose?.();
  }
  close() {
    this.closed = true;
  }
}

const tick = (seq: number): SequencedTick => ({ symbol: "btc", price: seq, ts: 1_763_800_000_000 + seq, source: "binance", seq });

describe("connectFeed", () => {
  let sockets: ScriptedSocket[];
  let frames: (() => void)[];
  let handlers: { [K in keyof FeedHandlers]: ReturnType<typeof vi.fn> };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    sockets = [];
    frames = [];
    handlers = { onTicks: vi.fn(), onOpen: vi.fn(), onHello: vi.fn(), onRetry: vi.fn(), onResync: vi.fn(), onStatus: vi.fn() };
  });
  afterEach(() => vi.useRealTimers());

  const start = (throttleMs?: number) =>
    connectFeed({
      url: "ws://host/ws",
      ...(throttleMs !== undefined && { throttleMs }),
      handlers: handlers as unknown as FeedHandlers,
      createSocket: (url) => {
        const socket = new ScriptedSocket(url);
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
      scheduleFrame: (flush) => frames.push(flush),
      random: () => 0.5,
    });

  it("hands over every tick of one animation frame in one batch", () => {
    start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", version: 1, serverId: "b1", symbols: ["btc"], simulated: true, epoch: "2026-12-03T08:00:00Z" });
    sockets[0]!.receive({ type: "snapshot", ticks: [tick(1)] });
    sockets[0]!.receive({ type: "ticks", ticks: [tick(2), tick(3)] });
    sockets[0]!.receive({ type: "unknown-type-from-a-newer-server" });
    expect(handlers.onTicks).not.toHaveBeenCalled();
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(handlers.onTicks).toHaveBeenCalledExactlyOnceWith([tick(1), tick(2), tick(3)]);
    expect(handlers.onHello).toHaveBeenCalledWith(expect.objectContaining({ simulated: true }));
  });

  it("reconnects with growing, jittered delays, resuming after the last seq seen, and asks for a resync", () => {
    start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "snapshot", ticks: [tick(7)] });
    frames.shift()!();
    sockets[0]!.drop();
    expect(handlers.onRetry).toHaveBeenLastCalledWith(250);
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toBe("ws://host/ws?resume=7");

    sockets[1]!.drop();
    expect(handlers.onRetry).toHaveBeenLastCalledWith(250 + 500);
    vi.advanceTimersByTime(500);
    expect(handlers.onResync).not.toHaveBeenCalled();
    sockets[2]!.open();
    expect(handlers.onResync).toHaveBeenCalledOnce();

    sockets[2]!.drop();
    expect(handlers.onRetry).toHaveBeenLastCalledWith(750 + 250);
  });

  it("resumes with the epoch its last seq belongs to: hello's, or after a reset the reset's", () => {
    start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", version: 1, serverId: "b1", symbols: ["btc"], simulated: false, epoch: "2026-12-03T08:00:00Z" });
    sockets[0]!.receive({ type: "snapshot", ticks: [tick(40)] });
    sockets[0]!.drop();
    vi.advanceTimersByTime(250);
    expect(sockets[1]!.url).toBe("ws://host/ws?resume=40&epoch=2026-12-03T08%3A00%3A00Z");
    // The stream was made again: the server resets the client, whose seqs start over.
    sockets[1]!.open();
    sockets[1]!.receive({ type: "hello", version: 1, serverId: "b2", symbols: ["btc"], simulated: false, epoch: "2026-12-03T08:00:00Z" });
    sockets[1]!.receive({ type: "reset", epoch: "2026-12-03T09:30:00Z" });
    sockets[1]!.receive({ type: "snapshot", ticks: [tick(3)] });
    sockets[1]!.drop();
    vi.advanceTimersByTime(250);
    expect(sockets[2]!.url).toBe("ws://host/ws?resume=3&epoch=2026-12-03T09%3A30%3A00Z");
  });

  it("asks for its throttle in the URL, changes it with subscribe (once open), and keeps it across reconnects", () => {
    const feed = start(250);
    expect(sockets[0]!.url).toBe("ws://host/ws?throttle=250ms");
    feed.setThrottle(0);
    expect(sockets[0]!.sent).toEqual([]);
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ type: "subscribe", symbols: [], throttle: 0 }]);
    feed.setThrottle(0);
    expect(sockets[0]!.sent).toHaveLength(1);
    sockets[0]!.receive({ type: "snapshot", ticks: [tick(9)] });
    feed.setThrottle(250);
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: "subscribe", symbols: [], throttle: 250 });
    sockets[0]!.drop();
    vi.advanceTimersByTime(250);
    expect(sockets[1]!.url).toBe("ws://host/ws?resume=9&throttle=250ms");
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([]);
  });

  it("hands over the status in hello as the whole state, and each status message as a change", () => {
    start();
    sockets[0]!.open();
    const status = { symbols: { eth: { state: "stale", since: 2, lastTickAt: 1, source: "binance" } }, sources: {} };
    sockets[0]!.receive({ type: "hello", version: 1, serverId: "b1", symbols: ["btc"], simulated: false, epoch: "e", status });
    sockets[0]!.receive({ type: "status", symbols: {}, sources: { binance: { state: "down", reason: "silent", since: 3 } } });
    expect(handlers.onStatus.mock.calls).toEqual([
      [status, true],
      [{ type: "status", symbols: {}, sources: { binance: { state: "down", reason: "silent", since: 3 } } }, false],
    ]);
  });

  it("stops reconnecting once closed, closing a connecting socket only once it opens", () => {
    const feed = start();
    feed.close();
    expect(sockets[0]!.closed).toBe(false);
    sockets[0]!.open();
    expect(sockets[0]!.closed).toBe(true);
    sockets[0]!.drop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("derives the socket URL from the page origin", () => {
    expect(feedUrl({ protocol: "http:", host: "localhost:3000" })).toBe("ws://localhost:3000/ws");
    expect(feedUrl({ protocol: "https:", host: "prices.example" })).toBe("wss://prices.example/ws");
  });
});
