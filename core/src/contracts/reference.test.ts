import { describe, expect, it } from "vitest";
import { DEFAULT_REFERENCE_SETTINGS, ReferenceBook, formReference, referenceInputSeq, referenceMsgId, type Candidate } from "./reference";
import { validateTick, type Tick } from "./tick";

const settings = { staleAfterMs: 10_000, lastResortStaleAfterMs: 60_000, maxDeviation: 0.02, maxLoneDeviation: 0.1 };
const T0 = 1_760_000_000_000;

function candidate(venue: string, price: number, age = 0, extra: Partial<Tick> = {}): Candidate {
  return { venue, age, tick: { symbol: "btc", price, ts: T0, source: venue, ...extra } };
}

describe("formReference", () => {
  it("takes the median of three fresh exchanges, sums their volumes and lists every input", () => {
    const formed = formReference(
      [
        candidate("binance", 100, 0, { volume24h: 10, change24h: 1 }),
        candidate("coinbase", 101, 5, { volume24h: 5, change24h: 3 }),
        candidate("kraken", 100.5, 9),
      ],
      settings,
    );
    expect(formed).toEqual({
      kind: "price",
      price: 100.5,
      source: "index",
      change24h: 2,
      volume24h: 15,
      inputs: [
        { venue: "binance", price: 100, age: 0 },
        { venue: "coinbase", price: 101, age: 5 },
        { venue: "kraken", price: 100.5, age: 9 },
      ],
    });
  });

  it("drops an exchange a thousand times off as an outlier and keeps the two that agree", () => {
    const formed = formReference([candidate("binance", 100), candidate("coinbase", 100_000), candidate("kraken", 101)], settings);
    expect(formed.kind === "price" && formed.price).toBe(100.5);
    expect(formed.inputs.find((input) => input.venue === "coinbase")?.dropped).toBe("outlier");
    expect(formed.inputs.filter((input) => input.dropped)).toHaveLength(1);
  });

  it("drops one a little beyond the fraction and keeps one just within it", () => {
    const off = formReference([candidate("binance", 100), candidate("coinbase", 100), candidate("kraken", 102.1)], settings);
    expect(off.inputs.map((input) => input.dropped)).toEqual([undefined, undefined, "outlier"]);
    const within = formReference([candidate("binance", 100), candidate("coinbase", 100), candidate("kraken", 101.9)], settings);
    expect(within.kind === "price" && within.price).toBe(100);
    expect(within.inputs.every((input) => input.dropped === undefined)).toBe(true);
  });

  it("drops a stale exchange and says so; with one fresh exchange left the price is that venue's", () => {
    const formed = formReference([candidate("binance", 100, 10_001), candidate("kraken", 95, 10_000)], settings);
    expect(formed).toMatchObject({ kind: "price", price: 95, source: "kraken" });
    expect(formed.inputs[0]).toEqual({ venue: "binance", price: 100, age: 10_001, dropped: "stale" });
  });

  it.each([
    ["a thousand times", 100_000],
    ["a thousandth", 0.1],
    ["a little past the lone limit", 111],
  ])("withholds a lone exchange's price at %s what the others remembered say (stale exchanges, CoinGecko) as unconfirmed", (_, price) => {
    const againstStale = formReference([candidate("binance", price), candidate("kraken", 100, 30_000)], settings);
    expect(againstStale).toMatchObject({ kind: "withheld", reason: "unconfirmed" });
    const againstCoinGecko = formReference([candidate("binance", price), candidate("coingecko", 100, 1_000)], settings);
    expect(againstCoinGecko).toMatchObject({ kind: "withheld", reason: "unconfirmed" });
  });

  it("forms a lone exchange's price within the lone limit of the others remembered, or with none remembered", () => {
    expect(formReference([candidate("binance", 109), candidate("kraken", 100, 30_000)], settings)).toMatchObject({ kind: "price", price: 109 });
    expect(formReference([candidate("binance", 100_000)], settings)).toMatchObject({ kind: "price", price: 100_000 });
  });

  it("withholds the price when two fresh exchanges disagree beyond the fraction", () => {
    const formed = formReference([candidate("binance", 100), candidate("kraken", 103), candidate("coingecko", 101)], settings);
    expect(formed).toMatchObject({ kind: "withheld", reason: "no_majority" });
    expect(formed.inputs.find((input) => input.venue === "coingecko")?.dropped).toBe("last_resort");
  });

  it("falls back to the last resort only when no exchange is fresh, within its own limit", () => {
    const lastResort = formReference([candidate("binance", 100, 20_000), candidate("coingecko", 99, 59_000)], settings);
    expect(lastResort).toMatchObject({ kind: "price", price: 99, source: "coingecko" });
    const none = formReference([candidate("binance", 100, 20_000), candidate("coingecko", 99, 61_000)], settings);
    expect(none).toMatchObject({ kind: "withheld", reason: "no_fresh_venue" });
    expect(none.inputs.map((input) => input.dropped)).toEqual(["stale", "stale"]);
  });
});

describe("ReferenceBook", () => {
  const tick = (source: string, price: number, ts = T0): Tick => ({ symbol: "btc", price, ts, source });

  it("makes one valid reference tick per input, with a msg id from the input's sequence, ageing by stream time", () => {
    const book = new ReferenceBook(settings);
    book.apply({ seq: 1, storedAt: T0, tick: tick("binance", 100) });
    const outcome = book.apply({ seq: 2, storedAt: T0 + 3_000, tick: tick("kraken", 102, T0 + 2_900) });
    expect(outcome.kind).toBe("tick");
    if (outcome.kind !== "tick") return;
    expect(outcome.msgId).toBe("ref:btc:2");
    expect(referenceInputSeq(outcome.msgId)).toBe(2);
    expect(outcome.tick).toMatchObject({ price: 101, ts: T0 + 2_900, source: "index" });
    expect(outcome.tick.inputs).toEqual([
      { venue: "binance", price: 100, age: 3_000 },
      { venue: "kraken", price: 102, age: 0 },
    ]);
    expect(validateTick(outcome.tick)).toMatchObject({ ok: true, exact: true });
  });

  it("forgets a venue after twice the longest stale limit, so a replay from that far back stands where the book stood", () => {
    const book = new ReferenceBook(settings);
    book.apply({ seq: 1, storedAt: T0, tick: tick("binance", 100) });
    const remembered = book.apply({ seq: 2, storedAt: T0 + 120_000, tick: tick("kraken", 101) });
    expect(remembered.kind === "tick" && remembered.tick.inputs?.map((input) => input.venue)).toEqual(["binance", "kraken"]);
    const forgotten = book.apply({ seq: 3, storedAt: T0 + 120_001, tick: tick("kraken", 101, T0 + 1) });
    expect(forgotten.kind === "tick" && forgotten.tick.inputs?.map((input) => input.venue)).toEqual(["kraken"]);
  });

  it("gives the same outcomes on a book fed the same ticks", () => {
    const feed = Array.from({ length: 200 }, (_, i) => ({
      seq: i + 1,
      storedAt: T0 + i * 97,
      tick: tick(["binance", "coinbase", "kraken", "coingecko"][i % 4]!, 100 + Math.sin(i) * (i % 7 === 0 ? 50 : 1), T0 + i * 97),
    }));
    const run = () => {
      const book = new ReferenceBook(DEFAULT_REFERENCE_SETTINGS);
      return feed.map((input) => book.apply(input));
    };
    expect(run()).toEqual(run());
    // A replica that records the first half (published already) and applies the rest forms the same.
    const caughtUp = new ReferenceBook(DEFAULT_REFERENCE_SETTINGS);
    feed.slice(0, 100).forEach((input) => caughtUp.record(input));
    expect(feed.slice(100).map((input) => caughtUp.apply(input))).toEqual(run().slice(100));
    expect(referenceMsgId("eth", 7)).toBe("ref:eth:7");
    expect(referenceInputSeq("binance:btc:1")).toBeUndefined();
  });
});
