import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { Market } from "./market";

describe("Market", () => {
  it("moves every price, keeps it positive and time strictly increasing, the same way for the same seed", () => {
    const now = 1_763_800_000_000;
    const run = () => {
      const market = new Market({ symbols: ["btc", "shib", "newcoin"], seed: 7, clock: new FakeClock(now) });
      const prices: number[] = [];
      let lastUpdate = 0;
      for (let i = 0; i < 500; i++) {
        for (const coin of market.step()) {
          expect(coin.price).toBeGreaterThan(0);
          expect(coin.updatedAt).toBeGreaterThanOrEqual(lastUpdate);
          prices.push(coin.price);
        }
        lastUpdate = market.coins.get("btc")!.updatedAt;
      }
      return { prices, market };
    };
    const first = run();
    const second = run();
    expect(second.prices).toEqual(first.prices);
    expect(new Set(first.prices).size).toBeGreaterThan(1_000);
    const btc = first.market.coins.get("btc")!;
    expect(btc.price).toBeGreaterThan(50_000);
    expect(btc.price).toBeLessThan(200_000);
    expect(btc.high).toBeGreaterThanOrEqual(btc.price);
    expect(btc.low).toBeLessThanOrEqual(btc.price);
    expect(first.market.coins.get("newcoin")!.asset.binancePair).toBe("newcoinusdt");
  });

  it("leaves a halted symbol where it was, out of every step, until it is resumed", () => {
    const clock = new FakeClock(1_763_800_000_000);
    const market = new Market({ symbols: ["btc", "eth"], clock });
    market.setHalted("eth", true);
    const eth = { ...market.coins.get("eth")! };
    clock.advance(60_000);
    expect(market.step().map((coin) => coin.asset.symbol)).toEqual(["btc"]);
    expect(market.coins.get("eth")).toEqual(eth);
    market.setHalted("eth", false);
    clock.advance(1_000);
    expect(market.step().map((coin) => coin.asset.symbol)).toEqual(["btc", "eth"]);
    expect(market.coins.get("eth")!.updatedAt).toBe(clock.now());
  });
});
