import { ConfigError, assetFor } from "@cryptostream/core";
import { describe, expect, it } from "vitest";
import { loadIngestConfig } from "./config";

describe("ingest configuration", () => {
  it("maps symbols to CoinGecko ids and Binance pairs, with defaults for the top 20 and ASSETS for the rest", () => {
    const config = loadIngestConfig({ SYMBOLS: "btc,xlm,pepe,hype", ASSETS: "pepe=pepe,hype=hyperliquid/,xlm=stellar/xlmfdusd" });
    expect(assetFor("btc", config.ASSETS)).toMatchObject({ coingeckoId: "bitcoin", binancePair: "btcusdt", name: "Bitcoin" });
    expect(assetFor("xlm", config.ASSETS)).toMatchObject({ coingeckoId: "stellar", binancePair: "xlmfdusd", name: "Stellar" });
    expect(assetFor("pepe", config.ASSETS)).toMatchObject({ coingeckoId: "pepe", binancePair: "pepeusdt" });
    expect(assetFor("hype", config.ASSETS)).toEqual({ symbol: "hype", name: "HYPE", coingeckoId: "hyperliquid" });
  });

  it.each([
    ["ASSETS", "pepe"],
    ["ASSETS", "PEPE=pepe"],
    ["SOURCES", "bitstamp"],
    ["COINGECKO_PLAN", "gold"],
    ["MAX_PRICE_JUMP", "-1"],
  ])("refuses a bad %s naming it", (name, value) => {
    expect(() => loadIngestConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadIngestConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });
});
