import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createLogger, createMetrics, tickMsgId, type NatsConnection, type SequencedTick, type Tick } from "@cryptostream/core";
import { WsTestClient, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroadcaster, type BroadcasterService } from "./app";
import { loadBroadcasterConfig } from "./config";

type TicksMessage = { type: string; ticks: SequencedTick[] };

describe("broadcaster on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let broadcaster: BroadcasterService;
  const metrics = createMetrics("broadcaster");
  let ts = 1_763_800_000_000;
  const publishTick = async (symbol: string, price: number) => {
    const tick: Tick = { symbol, price, ts: ts++, source: "binance" };
    return (await js.publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) })).seq;
  };
  const url = () => `ws://127.0.0.1:${broadcaster.port}/ws`;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    const config = loadBroadcasterConfig({ NATS_URL: server.url, BROADCASTER_PORT: "0" });
    broadcaster = await startBroadcaster({ config, nc, logger: createLogger({ service: "broadcaster", level: "silent" }), metrics });
    js = jetstream(nc);
  });

  afterAll(async () => {
    await broadcaster?.close();
    await nc?.close();
    await server?.cleanup();
  });

  it("sends a snapshot of the latest tick of each symbol, then live ticks with their seq", async () => {
    await publishTick("btc", 98_000);
    const lastBtc = await publishTick("btc", 98_001);
    const eth = await publishTick("eth", 3_400);
    await waitFor("the broadcaster to read both symbols", () => broadcaster.hub.lastSeq === eth);

    const client = await WsTestClient.open(url());
    const snapshot = await client.waitForMessage((m) => m.type === "snapshot");
    expect((snapshot as unknown as TicksMessage).ticks.map((t) => [t.symbol, t.seq]).sort()).toEqual([
      ["btc", lastBtc],
      ["eth", eth],
    ]);

    const live = await publishTick("sol", 241.2);
    const ticks = await client.waitForMessage((m) => m.type === "ticks");
    expect((ticks as unknown as TicksMessage).ticks).toEqual([expect.objectContaining({ symbol: "sol", price: 241.2, seq: live, source: "binance" })]);
    await client.close();
  });

  it("rejects and counts an invalid tick in the stream and forwards the next good one", async () => {
    const client = await WsTestClient.open(url());
    await client.waitForMessage((m) => m.type === "snapshot");
    await js.publish("prices.btc", '{"symbol":"btc","price":-5,"ts":1763800000000,"source":"binance"}');
    await js.publish("prices.btc", "not json");
    const good = await publishTick("btc", 98_002);
    await client.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === good));
    const forwarded = client.ofType<TicksMessage>("ticks").flatMap((m) => m.ticks);
    expect(forwarded.map((t) => t.seq)).toEqual([good]);
    const rejected = (await metrics.ticksRejected.get()).values;
    expect(rejected.find((v) => v.labels.reason === "invalid_tick")?.value).toBe(1);
    expect(rejected.find((v) => v.labels.reason === "malformed_json")?.value).toBe(1);
    await client.close();
  });

  it("answers /healthz and /metrics with the client count and refuses WebSocket upgrades off /ws", async () => {
    const client = await WsTestClient.open(url());
    const health = await (await fetch(`http://127.0.0.1:${broadcaster.port}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, clients: 1, consumerLag: 0 });
    await expect(WsTestClient.open(`ws://127.0.0.1:${broadcaster.port}/other`)).rejects.toThrow(/404/);
    const metricsText = await (await fetch(`http://127.0.0.1:${broadcaster.port}/metrics`)).text();
    expect(metricsText).toMatch(/^cryptostream_broadcaster_connections\{service="broadcaster"\} 1$/m);
    expect(metricsText).toMatch(/^cryptostream_broadcaster_publish_to_send_seconds_count\{service="broadcaster"\} [1-9]\d*$/m);
    expect(metricsText).toMatch(/^cryptostream_ticks_rejected_total\{stage="broadcaster",reason="invalid_tick",service="broadcaster"\} 1$/m);
    await client.close();
  });
});
