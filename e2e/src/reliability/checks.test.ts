import type { SequencedTick } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { CandleAggregator } from "@cryptostream/core";
import { checkCandles, checkClient, checkHistory, checkLease, checkStream } from "./checks";

const tick = (seq: number, symbol: string, ts = 1_000 + seq, price = seq): SequencedTick => ({ seq, symbol, ts, price, source: "binance" });
const stream = [tick(1, "btc"), tick(2, "eth"), tick(3, "btc"), tick(4, "eth"), tick(5, "btc")];
const eventOf = ({ symbol, ts, price, source }: SequencedTick) => ({ venue: source, symbol, ts, price });

describe("the chaos run's checks", () => {
  it("find no fault in a stream that holds every event once", () => {
    expect(checkStream(stream.map(eventOf), stream)).toEqual({ events: 5, ticks: 5, missing: 0, duplicated: 0, unknown: 0 });
  });

  it("count events lost, stored twice, or ticks no event explains", () => {
    const events = [...stream.map(eventOf), { venue: "binance", symbol: "sol", ts: 9, price: 9 }];
    const stored = [...stream, { ...tick(6, "btc", 1_001, 1) }, tick(7, "xrp"), { ...tick(8, "eth", 1_002, 2), source: "kraken" }];
    expect(checkStream(events, stored)).toEqual({ events: 6, ticks: 8, missing: 1, duplicated: 1, unknown: 2 });
  });

  it("find no fault in a client that saw every tick of its symbols after its snapshot", () => {
    expect(checkClient({ symbols: ["btc"], snapshotSeq: 1, received: [3, 5] }, stream)).toEqual({ expected: 2, missing: 0, duplicated: 0, unknown: 0 });
    expect(checkClient({ symbols: undefined, snapshotSeq: 2, received: [3, 4, 5] }, stream)).toMatchObject({ expected: 3, missing: 0 });
  });

  it("count a client's gaps, repeats, ticks out of order and ticks of other symbols", () => {
    expect(checkClient({ symbols: ["btc"], snapshotSeq: 0, received: [1, 5] }, stream)).toEqual({
      expected: 3,
      missing: 1,
      duplicated: 0,
      unknown: 0,
      firstMissing: 3,
    });
    expect(checkClient({ symbols: ["btc"], snapshotSeq: 0, received: [1, 3, 3, 5] }, stream)).toMatchObject({ missing: 0, duplicated: 1 });
    expect(checkClient({ symbols: ["btc"], snapshotSeq: 0, received: [1, 5, 3] }, stream)).toMatchObject({ missing: 0, duplicated: 1 });
    expect(checkClient({ symbols: ["btc"], snapshotSeq: 0, received: [1, 2, 3, 5] }, stream)).toMatchObject({ missing: 0, unknown: 1 });
    expect(checkClient({ symbols: ["btc"], snapshotSeq: undefined, received: [] }, stream)).toMatchObject({ expected: 0 });
  });

  it("compare each symbol's kept ticks with its last ones in the stream, in order", () => {
    const kept = new Map([
      ["btc", [tick(3, "btc"), tick(5, "btc")]],
      ["eth", [tick(2, "eth"), tick(4, "eth")]],
    ]);
    expect(checkHistory(kept, stream, 2)).toEqual({ symbols: 2, mismatched: [] });
    expect(checkHistory(new Map([["btc", [tick(5, "btc"), tick(3, "btc")]]]), stream, 2)).toEqual({ symbols: 2, mismatched: ["btc", "eth"] });
  });
});

describe("checkCandles", () => {
  const minute = (seq: number, symbol: string, m: number, price: number) => tick(seq, symbol, 1_800_000_000_000 + m * 60_000 + seq, price);
  const ticks = [minute(1, "btc", 0, 10), minute(2, "btc", 0, 12), minute(3, "eth", 1, 5), minute(4, "btc", 2, 11), minute(5, "eth", 3, 6)];
  const folded = (() => {
    const aggregator = new CandleAggregator(["1m"]);
    return ticks.flatMap((t) => aggregator.add(t));
  })();

  it("passes the candles a fold of the stream gives, each once", () => {
    expect(folded.length).toBeGreaterThan(1);
    expect(checkCandles(folded, ticks)).toMatchObject({ missing: 0, duplicated: 0, different: [] });
  });

  it("finds a candle missing, one stored twice and one that differs", () => {
    const [first, second] = folded;
    const check = checkCandles([first!, first!, { ...second!, high: 999 }], ticks);
    expect(check.missing).toBe(check.expected - 2);
    expect(check.duplicated).toBe(1);
    expect(check.different).toEqual([`1m:${second!.symbol}:${second!.openTime}`]);
  });

  it("counts a backfilled candle once, and fails one stored twice or over a candle from ticks", () => {
    const [first] = folded;
    const older = { ...first!, openTime: first!.openTime - 60_000, source: "binance" as const, ticks: 0, firstSeq: 0, lastSeq: 0 };
    expect(checkCandles([older, ...folded], ticks)).toMatchObject({ backfilled: 1, duplicated: 0, different: [] });
    const check = checkCandles([older, older, { ...first!, source: "binance" }, ...folded], ticks);
    expect(check.duplicated).toBe(1);
    expect(check.different).toEqual([`1m:${first!.symbol}:${first!.openTime} (backfilled over ticks)`]);
  });

  it("find every writer-lease takeover clean when each found the lease free and its revisions grew, and name the rest", () => {
    const line = (time: number, fields: object) => JSON.stringify({ time, ...fields });
    const first = [
      line(1, { msg: "took the writer lease", instance: "a", revision: 1, how: "vacant" }),
      line(5, { msg: "lost the writer lease; stopped writing", instance: "a", revision: 0, why: "expired" }),
      line(7, { msg: "price_history write refused: the key changed since this instance saw it; reading what is stored" }),
    ].join("\n");
    const second = [line(4, { msg: "took the writer lease", instance: "b", revision: 3, how: "expired" }), "not json"].join("\n");
    expect(checkLease([first, second])).toEqual({ taken: 2, how: { vacant: 1, expired: 1 }, why: { expired: 1 }, conflicts: 1, unclean: [] });
    const stolen = line(6, { msg: "took the writer lease", instance: "c", revision: 2, how: "stolen" });
    expect(checkLease([first, second, stolen]).unclean).toEqual(["c took it stolen", "c took revision 2 after 3"]);
  });
});
