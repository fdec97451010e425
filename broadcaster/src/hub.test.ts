import type { SequencedTick } from "@cryptostream/core";
import { FakeClock } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BroadcastHub, type HubOptions } from "./hub";
import { ClientSession, SLOW_CLIENT_CLOSE, type SessionSocket } from "./session";
import type { FrameSink } from "./ws-frame";

/** A session's socket and the TCP socket under it: messages sent, and pre-framed ones written. */
class FakeSocket implements SessionSocket, FrameSink {
  readyState = 1;
  bufferedAmount = 0;
  closed: { code: number; reason: string } | undefined;
  readonly sent: { type: string; ticks: (SequencedTick & { conflated?: boolean })[] }[] = [];
  readonly frames: Buffer[] = [];
  send(data: string | Buffer, _options: { binary: boolean }) {
    this.sent.push(JSON.parse(data.toString()));
  }
  write(frame: Buffer) {
    this.frames.push(frame);
    // A short unmasked text frame: FIN and opcode 1, then a 7-bit or 16-bit length.
    expect(frame[0]).toBe(0x81);
    const offset = frame[1]! < 126 ? 2 : 4;
    this.sent.push(JSON.parse(frame.subarray(offset).toString()));
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  ping() {}
  terminate() {
    this.close(1006, "");
  }
}

const limits = { softBytes: 1_000, hardBytes: 10_000 };
const tick = (symbol: string, seq: number): SequencedTick => ({ symbol, price: seq, ts: 1_763_800_000_000 + seq, source: "binance", seq });

function setup(options: HubOptions = {}) {
  const flushes: (() => void)[] = [];
  const hub = new BroadcastHub({ schedule: (flush) => flushes.push(flush), ...options });
  const connect = (symbols?: string[]) => {
    const socket = new FakeSocket();
    const session = new ClientSession(socket, socket, limits);
    session.symbols = symbols ? new Set(symbols) : undefined;
    hub.add(session);
    return { socket, session };
  };
  return { hub, connect, runFlush: () => flushes.shift()?.() };
}

describe("BroadcastHub", () => {
  it("sends ticks that arrive before a flush as one message per subscription, encoded and framed once per group", () => {
    const sent: number[][] = [];
    const { hub, connect, runFlush } = setup({ onSent: (bytes, messages) => sent.push([bytes, messages]) });
    const all1 = connect();
    const all2 = connect();
    const btcOnly = connect(["btc"]);
    const stringify = vi.spyOn(JSON, "stringify");
    hub.publish(tick("btc", 1));
    hub.publish(tick("eth", 2));
    runFlush();
    expect(stringify).toHaveBeenCalledTimes(2);
    stringify.mockRestore();
    expect(all1.socket.sent).toEqual([{ type: "ticks", ticks: [tick("btc", 1), tick("eth", 2)] }]);
    expect(all2.socket.sent).toEqual(all1.socket.sent);
    expect(btcOnly.socket.sent).toEqual([{ type: "ticks", ticks: [tick("btc", 1)] }]);
    // The very same bytes to both sessions of a group, counted once per group.
    expect(all2.socket.frames[0]).toBe(all1.socket.frames[0]);
    const allBytes = Buffer.byteLength(JSON.stringify(all1.socket.sent[0]));
    expect(sent).toEqual(expect.arrayContaining([[allBytes * 2, 2]]));
    expect(sent).toHaveLength(2);
  });

  it("snapshots exactly what was flushed, so a client that joins between flushes misses nothing and gets nothing twice", () => {
    const { hub, connect, runFlush } = setup();
    hub.publish(tick("btc", 1));
    runFlush();
    hub.publish(tick("btc", 2));
    const late = connect();
    expect(hub.snapshotFor(late.session)).toEqual([tick("btc", 1)]);
    runFlush();
    expect(late.socket.sent).toEqual([{ type: "ticks", ticks: [tick("btc", 2)] }]);
    expect(hub.lastSeq).toBe(2);
  });

  it("moves a session between groups when its subscription changes", () => {
    const { hub, connect, runFlush } = setup();
    const client = connect(["btc"]);
    hub.subscribe(client.session, new Set(["eth"]));
    hub.publish(tick("btc", 1));
    hub.publish(tick("eth", 2));
    runFlush();
    expect(client.socket.sent).toEqual([{ type: "ticks", ticks: [tick("eth", 2)] }]);
  });

  it("holds live ticks during a catch-up and releases only those after the caught-up seq", () => {
    const { hub, connect, runFlush } = setup();
    const client = connect();
    client.session.hold();
    hub.publish(tick("btc", 5));
    hub.publish(tick("btc", 6));
    runFlush();
    expect(client.socket.sent).toEqual([]);
    client.session.release(5);
    expect(client.socket.sent).toEqual([{ type: "ticks", ticks: [tick("btc", 6)] }]);
  });

  it("sends a client that resumed ahead of this hub only the ticks after its resume point (found by make chaos)", () => {
    const { hub, connect, runFlush } = setup();
    const behind = connect();
    const fresh = connect();
    behind.session.hold();
    behind.session.release(7);
    for (const seq of [5, 6, 7, 8, 9]) hub.publish(tick("btc", seq));
    runFlush();
    expect(behind.socket.sent).toEqual([{ type: "ticks", ticks: [tick("btc", 8), tick("btc", 9)] }]);
    expect(fresh.socket.sent[0]!.ticks.map((t) => t.seq)).toEqual([5, 6, 7, 8, 9]);
    hub.publish(tick("btc", 7));
    runFlush();
    expect(behind.socket.sent).toHaveLength(1);
  });
});

describe("status changes", () => {
  it("reach every session with the symbols it subscribes to and every source, and nobody with nothing to learn", () => {
    const { hub, connect } = setup();
    const all = connect();
    const btcOnly = connect(["btc"]);
    const ethOnly = connect(["eth"]);
    const stale = { state: "stale" as const, since: 2, lastTickAt: 1, source: "binance" };
    hub.sendStatus({ symbols: { btc: stale }, sources: {} });
    expect(all.socket.sent).toEqual([{ type: "status", symbols: { btc: stale }, sources: {} }]);
    expect(btcOnly.socket.sent).toEqual(all.socket.sent);
    expect(ethOnly.socket.sent).toEqual([]);
    const down = { state: "down" as const, reason: "silent" as const, since: 3 };
    hub.sendStatus({ symbols: {}, sources: { binance: down } });
    expect(ethOnly.socket.sent).toEqual([{ type: "status", symbols: {}, sources: { binance: down } }]);
  });
});

describe("a slow client", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("gets only the latest tick per symbol, marked conflated, once it drains, without holding up a fast client", () => {
    const { hub, connect, runFlush } = setup();
    const slow = connect();
    const fast = connect();
    slow.socket.bufferedAmount = 5_000;
    for (let seq = 1; seq <= 6; seq++) {
      hub.publish(tick(seq % 2 ? "btc" : "eth", seq));
      runFlush();
    }
    expect(fast.socket.sent.flatMap((m) => m.ticks.map((t) => t.seq))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(slow.socket.sent).toEqual([]);

    vi.advanceTimersByTime(100);
    expect(slow.socket.sent).toEqual([]);
    slow.socket.bufferedAmount = 0;
    vi.advanceTimersByTime(100);
    expect(slow.socket.sent).toEqual([
      {
        type: "ticks",
        ticks: [
          { ...tick("btc", 5), conflated: true },
          { ...tick("eth", 6), conflated: true },
        ],
      },
    ]);

    hub.publish(tick("btc", 7));
    runFlush();
    expect(slow.socket.sent.at(-1)).toEqual({ type: "ticks", ticks: [tick("btc", 7)] });
  });

  it("is closed with 1008 and a reason past the hard limit", () => {
    const { hub, connect, runFlush } = setup();
    const slow = connect();
    slow.socket.bufferedAmount = 20_000;
    hub.publish(tick("btc", 1));
    runFlush();
    expect(slow.socket.closed).toEqual({ code: SLOW_CLIENT_CLOSE, reason: "too slow: over 10000 bytes waiting" });
  });

  it("sends a throttled group at most one message per interval: the latest of each symbol that changed, conflated where ticks were skipped, never older than the interval", () => {
    const clock = new FakeClock();
    const flushes: (() => void)[] = [];
    const hub = new BroadcastHub({ schedule: (flush) => flushes.push(flush), clock });
    const socket = new FakeSocket();
    const session = new ClientSession(socket, socket, limits);
    hub.add(session);
    hub.subscribe(session, undefined, 250);
    const unthrottled = new FakeSocket();
    hub.add(new ClientSession(unthrottled, unthrottled, limits));
    const publish = (...ticks: SequencedTick[]) => {
      for (const t of ticks) hub.publish(t);
      flushes.shift()!();
    };

    publish(tick("btc", 1));
    clock.advance(0);
    expect(socket.sent.map((m) => m.ticks.map((t) => t.seq))).toEqual([[1]]);
    publish(tick("btc", 2), tick("eth", 3));
    clock.advance(100);
    publish(tick("btc", 4));
    clock.advance(149);
    expect(socket.sent).toHaveLength(1);
    clock.advance(1);
    expect(socket.sent).toHaveLength(2);
    expect(socket.sent[1]!.ticks).toEqual([tick("eth", 3), { ...tick("btc", 4), conflated: true }]);
    clock.advance(10_000);
    expect(socket.sent).toHaveLength(2);
    // Every tick still reaches the unthrottled client, each flush at once.
    expect(unthrottled.sent.flatMap((m) => m.ticks.map((t) => t.seq))).toEqual([1, 2, 3, 4]);
    hub.remove(session);
    expect(clock.pending).toBe(0);
  });
});
