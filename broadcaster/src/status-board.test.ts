import type { SourceReport, StatusReport } from "@cryptostream/core";
import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { StatusBoard } from "./status-board";

function setup() {
  const clock = new FakeClock();
  const changes: StatusReport[] = [];
  const board = new StatusBoard({ staleAfterMs: 60_000, clock, onChange: (change) => changes.push(change) });
  board.start();
  const report = (instance: string, state: "up" | "down", reason?: SourceReport["reason"]): SourceReport => ({
    source: "binance",
    state,
    ...(reason && { reason }),
    since: clock.now(),
    instance,
    ts: clock.now(),
  });
  return { clock, board, changes, report };
}

describe("StatusBoard", () => {
  it("says a symbol is stale once no tick was stored for STALE_AFTER, and fresh again with its next tick", () => {
    const { clock, board, changes } = setup();
    board.observe("btc", "binance", clock.now());
    board.observe("eth", "binance", clock.now());
    clock.advance(30_000);
    board.observe("eth", "coingecko", clock.now());
    clock.advance(31_000);
    expect(changes).toEqual([{ symbols: { btc: { state: "stale", since: clock.now(), lastTickAt: clock.now() - 61_000, source: "binance" } }, sources: {} }]);
    expect(Object.keys(board.current().symbols)).toEqual(["btc"]);

    clock.advance(5_000);
    board.observe("btc", "coingecko", clock.now());
    expect(changes[1]).toEqual({ symbols: { btc: { state: "fresh", since: clock.now(), lastTickAt: clock.now(), source: "coingecko" } }, sources: {} });
    expect(board.current().symbols).toEqual({});
    // eth's last tick was at 30 s: stale 60 s after it, once.
    clock.advance(30_000);
    expect(changes.slice(2).map((change) => Object.keys(change.symbols))).toEqual([["eth"]]);
    clock.advance(120_000);
    expect(changes).toHaveLength(4);
    expect(changes[3]!.symbols.btc!.state).toBe("stale");
  });

  it("counts a first tick that is already old (the broadcaster started late) as stale at the next check, without a fresh event before", () => {
    const { clock, board, changes } = setup();
    board.observe("doge", "binance", clock.now() - 3_600_000);
    clock.advance(1_000);
    expect(changes).toEqual([{ symbols: { doge: expect.objectContaining({ state: "stale" }) }, sources: {} }]);
  });

  it("keeps a source up while any ingest instance says so, down with the newest reason when all do, and unreported when their reports expire", () => {
    const { clock, board, changes, report } = setup();
    board.report(report("a", "up"));
    board.report(report("b", "up"));
    expect(changes.map((change) => change.sources)).toEqual([{ binance: { state: "up", since: clock.now() } }]);
    clock.advance(1_000);
    board.report(report("a", "down", "disconnected"));
    expect(changes).toHaveLength(1);
    clock.advance(1_000);
    board.report(report("b", "down", "silent"));
    expect(changes[1]!.sources).toEqual({ binance: { state: "down", reason: "silent", since: clock.now() } });
    board.report(report("b", "up"));
    expect(changes[2]!.sources.binance!.state).toBe("up");
    expect(board.current().sources.binance!.state).toBe("up");

    // Reports every 5 s keep it; none for 15 s and the source is unreported.
    clock.advance(15_000);
    expect(changes).toHaveLength(3);
    clock.advance(1_000);
    expect(changes[3]!.sources).toEqual({ binance: { state: "down", reason: "unreported", since: clock.now() } });
    board.report(report("c", "up"));
    expect(changes[4]!.sources.binance!.state).toBe("up");
    board.close();
    expect(clock.pending).toBe(0);
  });
});

describe("StatusBoard's reference prices", () => {
  it("passes on a change of standing once, however many ingest replicas report it, and lists in hello only what leaves a venue out or is withheld", () => {
    const { board, changes } = setup();
    const outlier = { symbol: "btc", dropped: [{ venue: "kraken", reason: "outlier" as const }], since: 5 };
    board.reference(outlier);
    board.reference({ ...outlier, since: 6 });
    board.reference({ symbol: "eth", dropped: [], since: 7 });
    // A symbol whose venues all agree from the start is no news.
    expect(changes).toEqual([{ symbols: {}, sources: {}, references: { btc: { dropped: [{ venue: "kraken", reason: "outlier" }], since: 5 } } }]);
    expect(board.current().references).toEqual({ btc: { dropped: [{ venue: "kraken", reason: "outlier" }], since: 5 } });
    board.reference({ symbol: "btc", dropped: [], withheld: "no_majority", since: 8 });
    board.reference({ symbol: "btc", dropped: [], since: 9 });
    expect(changes.slice(1).map((change) => change.references?.btc?.withheld ?? "agreed")).toEqual(["no_majority", "agreed"]);
    expect(board.current().references).toBeUndefined();
  });
});
