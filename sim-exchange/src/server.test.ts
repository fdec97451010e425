import { BinanceMiniTickerSchema, CoinGeckoMarketSchema, CoinbaseEnvelopeSchema, CoinbaseTickerSchema, KrakenTickerSchema } from "@cryptostream/core";
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

  it("speaks Coinbase Advanced Trade: a subscription ack, a snapshot, then updates and heartbeats, each message numbered, with the documented fields", async () => {
    const client = await WsTestClient.open(sim.coinbaseWsUrl);
    client.socket.send(JSON.stringify({ type: "subscribe", product_ids: ["BTC-USD"], channel: "heartbeats" }));
    client.socket.send(JSON.stringify({ type: "subscribe", product_ids: ["BTC-USD", "ETH-USD"], channel: "ticker" }));
    await client.waitForMessage((m) => (m as { events?: { type?: string }[] }).events?.[0]?.type === "snapshot");
    sim.tick();
    await client.waitForMessage((m) => (m as { events?: { type?: string }[] }).events?.[0]?.type === "update");
    await client.waitForMessage((m) => (m as { channel?: string }).channel === "heartbeats");
    const documented = fixtureLines("coinbase-advanced-trade-ws.jsonl").map((line) => JSON.parse(line));
    const messages = client.messages.map((message) => CoinbaseEnvelopeSchema.parse(message));
    expect(messages.map((message) => message.sequence_num)).toEqual(messages.map((_, i) => i));
    for (const message of messages.filter((m) => m.channel === "ticker")) {
      const ticker = (message.events[0] as { tickers: Record<string, unknown>[] }).tickers[0]!;
      expect(keysOf(ticker)).toEqual(keysOf(documented[1].events[0].tickers[0]));
      expect(CoinbaseTickerSchema.parse(ticker).product_id).toMatch(/^(BTC|ETH)-USD$/);
    }
    await client.close();
  });

  it("speaks Kraken v2: status on connect, an ack and a snapshot per pair, a refusal for a pair it does not list, then updates", async () => {
    const client = await WsTestClient.open(sim.krakenWsUrl);
    client.socket.send(JSON.stringify({ method: "subscribe", params: { channel: "ticker", symbol: ["BTC/USD", "XYZ/USD"] } }));
    await client.waitForMessage((m) => (m as { success?: boolean }).success === false);
    sim.tick();
    await client.waitForMessage((m) => (m as { type?: string }).type === "update");
    const documented = fixtureLines("kraken-ws-v2.jsonl").map((line) => JSON.parse(line));
    const [status, ack, snapshot] = client.messages as Record<string, unknown>[];
    expect(keysOf(status!)).toEqual(keysOf(documented[0]));
    expect(keysOf(ack!)).toEqual(keysOf(documented[1]));
    expect(keysOf(snapshot!)).toEqual(keysOf(documented[3]));
    const entry = (snapshot!.data as Record<string, unknown>[])[0]!;
    expect(keysOf(entry)).toEqual(keysOf(documented[3].data[0]));
    expect(KrakenTickerSchema.parse(entry).symbol).toBe("BTC/USD");
    await client.close();
  });

  it("quotes each venue a little off the market price, and as far off as a test makes it", () => {
    const market = sim.market.coins.get("btc")!.price;
    for (const venue of ["coinbase", "kraken"] as const) {
      const off = Math.abs(sim.venueQuote(venue, "btc") / market - 1);
      expect(off).toBeLessThanOrEqual(0.001);
    }
    sim.behaveVenue("kraken", { factor: 1000 });
    expect(sim.venueQuote("kraken", "btc") / market).toBeGreaterThan(990);
    sim.behaveVenue("kraken", {});
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

describe("simulated exchange's past", () => {
  let sim: SimExchange;
  beforeAll(async () => {
    sim = await startSimExchange({ intervalMs: 0, symbols: ["btc", "eth"], seed: 9, binanceWeightLimit: 10 });
  });
  afterAll(() => sim?.close());
  const get = (path: string) => fetch(`${sim.binanceRestUrl}${path}`);

  it("serves klines shaped like Binance's, ending where the live price is, with the weight used in a header", async () => {
    sim.tick();
    const response = await get("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=3");
    expect(response.status).toBe(200);
    expect(Number(response.headers.get("x-mbx-used-weight-1m"))).toBeGreaterThanOrEqual(2);
    const klines = (await response.json()) as (string | number)[][];
    const documented = (JSON.parse(readFixture("binance-klines.json")) as (string | number)[][])[0]!;
    expect(klines).toHaveLength(3);
    for (const kline of klines) expect(kline.map((field) => typeof field)).toEqual(documented.map((field) => typeof field));
    const btc = sim.market.coins.get("btc")!;
    expect(Number(klines.at(-1)![4])).toBe(btc.price);
    expect(Number(klines[1]![1])).toBe(Number(klines[0]![4]));
    const from = (klines[0]![0] as number) - 10 * 60_000;
    const paged = (await (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${from}&limit=5`)).json()) as (string | number)[][];
    expect(paged.map((k) => k[0])).toEqual([0, 1, 2, 3, 4].map((i) => from + i * 60_000));
  });

  it("refuses a bad symbol, interval or limit with Binance's codes, and answers 429 with Retry-After past the weight limit", async () => {
    const codes = [];
    for (const query of ["symbol=NOPEUSDT&interval=1m", "symbol=BTCUSDT&interval=7m", "symbol=BTCUSDT&interval=1m&limit=1001"]) {
      codes.push(((await (await get(`/api/v3/klines?${query}`)).json()) as { code: number }).code);
    }
    expect(codes).toEqual([-1121, -1120, -1130]);
    let limited: Response | undefined;
    for (let i = 0; i < 6 && !limited; i++) {
      const response = await get("/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1");
      if (response.status === 429) limited = response;
    }
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(sim.binanceRestRequests.some((r) => r.status === 429)).toBe(true);
  });

  it("serves CoinGecko's OHLC with the candle body the documentation gives for the days asked", async () => {
    const documented = (JSON.parse(readFixture("coingecko-ohlc.json")) as number[][])[0]!;
    for (const [days, bodyMs] of [
      [1, 1_800_000],
      [7, 14_400_000],
      [90, 4 * 86_400_000],
    ] as const) {
      const rows = (await (await fetch(`${sim.coingeckoApiUrl}/coins/bitcoin/ohlc?vs_currency=usd&days=${days}`)).json()) as number[][];
      expect(rows[0]!.map((v) => typeof v)).toEqual(documented.map((v) => typeof v));
      expect(rows[1]![0]! - rows[0]![0]!).toBe(bodyMs);
      expect(rows.at(-1)![0]).toBeLessThanOrEqual(Date.now());
    }
    expect((await fetch(`${sim.coingeckoApiUrl}/coins/bitcoin/ohlc?vs_currency=usd&days=400`)).status).toBe(401);
  });
});
