import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRICES_STREAM } from "./contracts/names";
import { ensurePricesStream, type PricesStreamSettings } from "./jetstream";

const DAY_MS = 86_400_000;
const NANOS_PER_MS = 1_000_000;

describe("ensurePricesStream against a real nats-server", () => {
  let nats: NatsServerHandle;
  let nc: NatsConnection;
  const shipped: PricesStreamSettings = { maxAgeMs: DAY_MS, maxPerSubject: 20_000, duplicateWindowMs: 60_000 };
  const streamConfig = async () => (await (await jetstreamManager(nc)).streams.info(PRICES_STREAM)).config;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    expect(await ensurePricesStream(nc, shipped)).toEqual([]);
    for (let i = 0; i < 100; i++) nc.publish("prices.btc", "{}");
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.cleanup();
  });

  it("leaves an existing stream as it is for a service that may only create it (a broadcaster started with PRICES_MAX_AGE=1m)", async () => {
    expect(await ensurePricesStream(nc, { ...shipped, maxAgeMs: 60_000, maxPerSubject: 1 })).toEqual([]);
    expect(await streamConfig()).toMatchObject({ max_age: DAY_MS * NANOS_PER_MS, max_msgs_per_subject: 20_000, sealed: false });
  });

  it("applies growth for ingest, refuses a shrink unless allowShrink, and touches nothing the configuration does not name", async () => {
    const grown = await ensurePricesStream(nc, { ...shipped, maxAgeMs: 2 * DAY_MS }, { mayUpdate: true });
    expect(grown.map((change) => change.setting)).toEqual(["max_age"]);
    expect(await ensurePricesStream(nc, { ...shipped, maxAgeMs: 60_000, maxPerSubject: 1 }, { mayUpdate: true })).toEqual([]);
    expect(await streamConfig()).toMatchObject({ max_age: 2 * DAY_MS * NANOS_PER_MS, max_msgs_per_subject: 20_000 });
    expect((await (await jetstreamManager(nc)).streams.info(PRICES_STREAM)).state.messages).toBe(100);

    const shrunk = await ensurePricesStream(nc, { ...shipped, maxPerSubject: 10, allowShrink: true }, { mayUpdate: true });
    expect(shrunk.map((change) => [change.setting, change.shrinks])).toEqual([
      ["max_age", true],
      ["max_msgs_per_subject", true],
    ]);
    expect(await streamConfig()).toMatchObject({ max_age: DAY_MS * NANOS_PER_MS, max_msgs_per_subject: 10, sealed: false, deny_delete: false });
  });
});
