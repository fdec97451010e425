import { jetstreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, type SequencedTick } from "@cryptostream/core";
import { WsTestClient, waitFor } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack";

type TicksMessage = { type: string; ticks: SequencedTick[] };

describe("a tick from the simulated exchange to a WebSocket client", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it("arrives through ingest, JetStream and the broadcaster, carrying its stream seq", async () => {
    const client = await WsTestClient.open(`ws://127.0.0.1:${stack.broadcaster.port}/ws`);
    await client.waitForMessage((m) => m.type === "snapshot");

    stack.sim.tick();
    const btc = stack.sim.market.coins.get("btc")!;
    const received = await client.waitForMessage(
      (m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.symbol === "btc" && t.ts === btc.updatedAt),
      "the btc tick of this step",
    );
    const tick = (received as unknown as TicksMessage).ticks.find((t) => t.symbol === "btc" && t.ts === btc.updatedAt)!;
    expect(tick).toMatchObject({ symbol: "btc", price: btc.price, ts: btc.updatedAt, source: "binance" });

    const jsm = await jetstreamManager(stack.nc);
    const stored = await jsm.streams.getMessage(PRICES_STREAM, { last_by_subj: "prices.btc" });
    expect(tick.seq).toBe(stored!.seq);
    await client.close();
  });

  it("reaches history too, where GET /api/history/:symbol serves it", async () => {
    stack.sim.tick();
    const eth = stack.sim.market.coins.get("eth")!;
    const url = `http://127.0.0.1:${stack.history.port}/api/history/eth`;
    const ticks = await waitFor("the eth tick in history", async () => {
      const body = (await (await fetch(url)).json()) as { ticks?: SequencedTick[] };
      return body.ticks?.some((t) => t.ts === eth.updatedAt) && body.ticks;
    });
    expect(ticks.at(-1)).toMatchObject({ symbol: "eth", price: eth.price, ts: eth.updatedAt });
  });
});
