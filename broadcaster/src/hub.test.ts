import type { SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { BroadcastHub, type ClientSocket } from "./hub";

class FakeSocket implements ClientSocket {
  readyState = 1;
  readonly sent: { type: string; ticks: SequencedTick[] }[] = [];
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
}

const tick = (symbol: string, seq: number): SequencedTick => ({ symbol, price: seq, ts: 1_763_800_000_000 + seq, source: "binance", seq });

function manualHub() {
  const flushes: (() => void)[] = [];
  const payloads: string[] = [];
  const hub = new BroadcastHub({ schedule: (flush) => flushes.push(flush), onFlush: (payload) => payloads.push(payload) });
  return { hub, payloads, runFlush: () => flushes.shift()?.() };
}

describe("BroadcastHub", () => {
  it("batches ticks that arrive before a flush into one message, encoded once for every client", () => {
    const { hub, payloads, runFlush } = manualHub();
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.add(a);
    hub.add(b);
    hub.publish(tick("btc", 1));
    hub.publish(tick("eth", 2));
    runFlush();
    expect(payloads).toHaveLength(1);
    for (const client of [a, b]) {
      expect(client.sent.map((m) => m.type)).toEqual(["snapshot", "ticks"]);
      expect(client.sent[1]!.ticks.map((t) => t.seq)).toEqual([1, 2]);
    }
  });

  it("gives a client that joins before a flush a snapshot without the pending ticks, then those ticks", () => {
    const { hub, runFlush } = manualHub();
    hub.publish(tick("btc", 1));
    runFlush();
    hub.publish(tick("btc", 2));
    const late = new FakeSocket();
    hub.add(late);
    runFlush();
    expect(late.sent[0]).toEqual({ type: "snapshot", ticks: [tick("btc", 1)] });
    expect(late.sent[1]).toEqual({ type: "ticks", ticks: [tick("btc", 2)] });
  });

  it("keeps only the latest tick per symbol in the snapshot and skips closed sockets", () => {
    const { hub, runFlush } = manualHub();
    const closed = new FakeSocket();
    hub.add(closed);
    closed.readyState = 3;
    hub.publish(tick("btc", 1));
    hub.publish(tick("eth", 2));
    hub.publish(tick("btc", 3));
    runFlush();
    expect(closed.sent).toHaveLength(1);
    const fresh = new FakeSocket();
    hub.add(fresh);
    expect(fresh.sent[0]!.ticks.map((t) => t.seq).sort()).toEqual([2, 3]);
    expect(hub.lastSeq).toBe(3);
  });
});
