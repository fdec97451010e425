import { readFixture } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { parseCoinGeckoMarkets } from "./coingecko-parse";

const ids = new Map([
  ["bitcoin", "btc"],
  ["ethereum", "eth"],
  ["solana", "sol"],
]);

describe("parseCoinGeckoMarkets", () => {
  it("turns each documented coin into a tick and rejects untracked ones alone", () => {
    const { results, assets } = parseCoinGeckoMarkets(readFixture("coingecko-coins-markets.json"), ids);
    expect(results.map((r) => r.kind)).toEqual(["tick", "tick", "tick", "rejected"]);
    expect(results[0]).toEqual({
      kind: "tick",
      tick: {
        symbol: "btc",
        price: 98402.11,
        ts: Date.parse("2026-11-22T08:26:37.221Z"),
        source: "coingecko",
        change24h: 1.62491,
        volume24h: 45123456789,
      },
    });
    expect(results[3]).toMatchObject({ kind: "rejected", reason: "unknown_symbol" });
    expect(assets[0]).toEqual({
      symbol: "btc",
      name: "Bitcoin",
      coingeckoId: "bitcoin",
      image: "https://coin-images.coingecko.com/coins/images/1/large/bitcoin.png",
      marketCapRank: 1,
    });
    expect(assets.map((a) => a.symbol)).toEqual(["btc", "eth", "sol"]);
  });

  it("rejects a rate-limit body, truncated JSON and a coin without a price", () => {
    expect(parseCoinGeckoMarkets(readFixture("coingecko-429.json"), ids).results).toMatchObject([{ reason: "unknown_format" }]);
    expect(parseCoinGeckoMarkets('[{"id":"bitcoin"', ids).results).toMatchObject([{ reason: "malformed_json" }]);
    const coin = JSON.parse(readFixture("coingecko-coins-markets.json"))[0];
    expect(parseCoinGeckoMarkets(JSON.stringify([{ ...coin, current_price: null }]), ids).results).toMatchObject([{ reason: "invalid_event" }]);
  });
});
