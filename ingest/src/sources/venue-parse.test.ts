import { fixtureLines } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { parseCoinbaseMessage } from "./coinbase-parse";
import { parseKrakenMessage } from "./kraken-parse";

const products = new Map([
  ["BTC-USD", "btc"],
  ["ETH-USD", "eth"],
]);
const pairs = new Map([
  ["BTC/USD", "btc"],
  ["ETH/USD", "eth"],
]);

describe("parseCoinbaseMessage", () => {
  const messages = fixtureLines("coinbase-advanced-trade-ws.jsonl").map((line) => parseCoinbaseMessage(line, products));

  it("turns each ticker of the documented messages into a tick, timed by the message, in USD volume", () => {
    const ticks = messages.flatMap((message) => message.results.flatMap((result) => (result.kind === "tick" ? [result.tick] : [])));
    expect(ticks.map((tick) => tick.symbol)).toEqual(["btc", "eth", "btc"]);
    expect(ticks[0]).toEqual({
      symbol: "btc",
      price: 98421.57,
      ts: Date.parse("2026-12-03T09:00:00.104Z"),
      source: "coinbase",
      change24h: 1.85,
      volume24h: 15328.12345678 * 98421.57,
    });
  });

  it("reads subscriptions and heartbeats as control, and every message's sequence number", () => {
    expect(messages.map((message) => message.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(messages.map((message) => message.results[0]?.kind)).toEqual(["control", "tick", "tick", "control", "tick", "control"]);
  });

  it.each([
    ["not JSON", "{", "malformed_json"],
    ["another shape", '{"hello":1}', "unknown_format"],
    ["a ticker without a price", tickerWith({ price: undefined }), "invalid_event"],
    ["a negative-looking price", tickerWith({ price: "abc" }), "invalid_event"],
    ["an untracked product", tickerWith({ product_id: "DOGE-USD" }), "unknown_symbol"],
    ["a product of three parts (a perpetual)", tickerWith({ product_id: "BTC-PERP-INTX" }), "unknown_symbol"],
  ])("rejects %s with a reason", (_, text, reason) => {
    const [result] = parseCoinbaseMessage(text, products).results;
    expect(result).toMatchObject({ kind: "rejected", reason });
  });

  it("reports an error message as a refused subscription", () => {
    const [result] = parseCoinbaseMessage('{"type":"error","message":"failure to subscribe"}', products).results;
    expect(result).toEqual({ kind: "subscribe_failed", message: "failure to subscribe" });
  });
});

function tickerWith(change: Record<string, unknown>): string {
  const line = fixtureLines("coinbase-advanced-trade-ws.jsonl")[1]!;
  const message = JSON.parse(line);
  Object.assign(message.events[0].tickers[0], change);
  return JSON.stringify(message);
}

describe("parseKrakenMessage", () => {
  const receivedAt = Date.parse("2026-12-03T09:00:02Z");
  const results = fixtureLines("kraken-ws-v2.jsonl").flatMap((line) => parseKrakenMessage(line, pairs, receivedAt));

  it("turns each documented ticker snapshot and update into a tick, in USD volume", () => {
    const ticks = results.flatMap((result) => (result.kind === "tick" ? [result.tick] : []));
    expect(ticks.map((tick) => `${tick.symbol}@${tick.price}`)).toEqual(["btc@98419", "eth@3611.93", "btc@98422.5"]);
    expect(ticks[0]).toEqual({
      symbol: "btc",
      price: 98419,
      ts: Date.parse("2026-12-03T09:00:00.063Z"),
      source: "kraken",
      change24h: 1.84,
      volume24h: 1245.66112345 * 97911.2,
    });
  });

  it("reads status, acks and heartbeats as control, and a refused pair as a failed subscription", () => {
    expect(results.map((result) => result.kind)).toEqual(["control", "control", "control", "tick", "tick", "control", "tick", "subscribe_failed"]);
    expect(results.at(-1)).toEqual({ kind: "subscribe_failed", message: "XYZ/USD: Currency pair not supported XYZ/USD" });
  });

  it.each([
    ["not JSON", "[", "malformed_json"],
    ["an array", "[1]", "unknown_format"],
    ["a ticker with a price as a string", '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":"1"}]}', "invalid_event"],
    ["a ticker message without data", '{"channel":"ticker","type":"update"}', "invalid_event"],
  ])("rejects %s with a reason", (_, text, reason) => {
    expect(parseKrakenMessage(text, pairs, receivedAt)[0]).toMatchObject({ kind: "rejected", reason });
  });

  it("times a ticker without its timestamp (as older v2 messages and some snapshots come) by when it arrived", () => {
    const snapshot = JSON.parse(fixtureLines("kraken-ws-v2.jsonl")[3]!);
    delete snapshot.data[0].timestamp;
    expect(parseKrakenMessage(JSON.stringify(snapshot), pairs, receivedAt)).toEqual([
      { kind: "tick", tick: expect.objectContaining({ symbol: "btc", price: 98419, ts: receivedAt, source: "kraken" }) },
    ]);
  });
});
