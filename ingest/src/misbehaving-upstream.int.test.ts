import { jetstreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, type Tick } from "@cryptostream/core";
import { toBinanceMiniTicker } from "@cryptostream/sim-exchange";
import { waitFor } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestOnSim } from "../test-support/ingest-on-sim";

describe("ingest against a misbehaving exchange", () => {
  let running: Awaited<ReturnType<typeof ingestOnSim>>;
  beforeAll(async () => {
    running = await ingestOnSim(["btc"], { SOURCES: "binance" });
    await waitFor("ingest connected", () => running.sim.binanceClientCount() === 1);
  });
  afterAll(() => running?.close());

  it("publishes the good events once and rejects and counts the rest by reason", async () => {
    const { sim, nc, ingest, metrics } = running;
    const coin = sim.market.coins.get("btc")!;
    const frame = (change: Record<string, unknown>) => {
      const message = toBinanceMiniTicker(coin);
      return JSON.stringify({ ...message, data: { ...message.data, ...change } });
    };
    const now = Date.now();
    const good = [now - 3_000, now - 2_000, now - 1_000] as const;
    const sent = [
      frame({ E: good[0], c: "98000.00" }),
      frame({ E: good[0], c: "98000.00" }), // duplicate
      "}{ not json",
      frame({ E: now - 1_500, c: "0.00000000" }), // zero
      frame({ E: now - 1_400, c: "NaN" }), // not a number
      frame({ E: now - 1_300, c: "98000000.00" }), // a thousand times the first (held, nothing to judge either by): dropped once the next good one confirms the first
      frame({ E: now + 3_600_000, c: "98010.00" }), // an hour ahead
      frame({ E: good[1], c: "98020.00" }),
      frame({ E: good[0] - 500, c: "98001.00" }), // out of order
      JSON.stringify({ stream: "btcusdt@miniTicker", data: { e: "24hrMiniTicker" } }), // truncated event
      frame({ E: good[2], c: "98030.00" }),
    ];
    for (const text of sent) sim.sendRawToBinanceClients(text);

    const jsm = await jetstreamManager(nc);
    await waitFor("the three good ticks", async () => (await jsm.streams.info(PRICES_STREAM)).state.messages === 3);
    await ingest.publisher.flush();
    const stored: Tick[] = [];
    for (let seq = 1; seq <= 3; seq++) stored.push((await jsm.streams.getMessage(PRICES_STREAM, { seq }))!.json<Tick>());
    expect(stored.map((t) => [t.ts, t.price])).toEqual([
      [good[0], 98000],
      [good[1], 98020],
      [good[2], 98030],
    ]);
    const rejected = Object.fromEntries((await metrics.ticksRejected.get()).values.map((v) => [v.labels.reason, v.value]));
    expect(rejected).toEqual({
      out_of_order: 1,
      malformed_json: 1,
      invalid_tick: 1,
      invalid_event: 2,
      unconfirmed: 1,
      future_timestamp: 1,
    });
    const unchanged = (await metrics.registry.getSingleMetric("cryptostream_ingest_ticks_unchanged_total")!.get()).values[0]!.value;
    expect(unchanged).toBe(1);
  });
});
