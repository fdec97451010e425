import { BinanceMiniTickerSchema, CoinGeckoMarketSchema } from "@cryptostream/core";
import { WsTestClient, fixtureLines, readFixture } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimExchange, type SimExchange } from "./server";

const keysOf = (value: object) => Object.keys(value).sort();

describe("simulated exchange", () => {
  let sim: SimExchange;
  beforeAll(async () => {
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc", "eth", "sol", "xlm"] });
  });
  afterAll(() => sim?.close());

  it("pushes combined-stream mini tickers shaped like Binance's, only for the subscribed streams", async () => {
    const client = await WsTestClient.open(`${sim.binanceWsUrl}/stream?streams=btcusdt@miniTicker/xlmusdt@miniTicker`);
    sim.tick();
    await client.waitForMessage((m) => (m as { stream?: string }).stream === "xlmusdt@miniTicker");
    const documented = JSON.parse(fixtureLines("binance-combined-miniticker.jsonl")[0]!);
    const streams = client.messages.map((m) => (m as { stream?: string }).stream).sort();
    expect(streams).toEqual(["btcusdt@miniTicker", "xlmusdt@miniTicker"]);
    for (const message of client.messages as unknown as { stream: string; data: Record<string, unknown> }[]) {
      expect(keysOf(message)).toEqual(keysOf(documented));
      expect(keysOf(message.data)).toEqual(keysOf(documented.data));
      expect(BinanceMiniTickerSchema.parse(message.data).s).toBe(message.stream.split("@")[0]!.toUpperCase());
    }
    await client.close();
  });

  it("answers SUBSCRIBE as Binance does and then pushes the new stream", async () => {
    const client = await WsTestClient.open(`${sim.binanceWsUrl}/stream?streams=btcusdt@miniTicker`);
    client.socket.send(JSON.stringify({ method: "SUBSCRIBE", params: ["ethusdt@miniTicker"], id: 7 }));
    await client.waitForMessage((m) => (m as { id?: number }).id === 7);
    expect(client.messages[0]).toEqual(JSON.parse(fixtureLines("binance-control.jsonl")[0]!.replace('"id":1', '"id":7')));
    sim.tick();
    await client.waitForMessage((m) => (m as { stream?: string }).stream === "ethusdt@miniTicker");
    await client.close();
  });

  it("serves /coins/markets and /simple/price with the documented fields", async () => {
    const markets = (await (await fetch(`${sim.coingeckoApiUrl}/coins/markets?vs_currency=usd&ids=bitcoin,stellar`)).json()) as { id: string }[];
    expect(markets.map((coin) => coin.id)).toEqual(["bitcoin", "stellar"]);
    const documentedCoin = JSON.parse(readFixture("coingecko-coins-markets.json"))[0];
    for (const coin of markets) {
      CoinGeckoMarketSchema.parse(coin);
      for (const key of keysOf(coin)) expect(documentedCoin).toHaveProperty(key);
    }
    const simple = (await (await fetch(`${sim.coingeckoApiUrl}/simple/price?ids=bitcoin&vs_currencies=usd`)).json()) as { bitcoin: object };
    expect(keysOf(simple.bitcoin)).toEqual(keysOf(JSON.parse(readFixture("coingecko-simple-price.json")).bitcoin));
  });
});
