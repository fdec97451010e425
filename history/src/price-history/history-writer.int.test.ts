import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  HISTORY_DEPTH,
  createLogger,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  tickMsgId,
  type NatsConnection,
  type SequencedTick,
  type Tick,
} from "@cryptostream/core";
import { startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BucketMirror } from "./bucket-mirror";
import { startHistoryWriter, type HistoryWriter } from "./history-writer";

const logger = createLogger({ service: "history", level: "silent" });

describe("the price_history writer's fence on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const running: { writer: HistoryWriter; mirror: BucketMirror }[] = [];

  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
  });
  afterEach(async () => {
    for (const { writer, mirror } of running.splice(0)) {
      await writer.stop();
      await mirror.stop();
    }
    await nc.close();
    await server.cleanup();
  });

  it("stores each tick once when two writers race for every key (the case a paused writer's late writes make), conflicts refused", async () => {
    const kv = await ensurePriceHistoryBucket(nc);
    const conflicts: string[] = [];
    // Two writers at once, each with its own durable consumer and its own view of the bucket: nothing but
    // the revision check on every write stands between them and each tick stored twice.
    for (const durable of ["history-a", "history-b"]) {
      const mirror = await BucketMirror.follow(kv);
      const writer = await startHistoryWriter({ nc, kv, mirror, durable, logger, onConflict: (symbol) => conflicts.push(symbol) });
      running.push({ writer, mirror });
    }
    const js = jetstream(nc);
    const published: SequencedTick[] = [];
    for (let i = 0; i < 150; i++) {
      const tick: Tick = { symbol: i % 2 ? "eth" : "btc", price: 100 + i, ts: 1_763_800_000_000 + i, source: "binance" };
      const ack = await js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
      published.push({ ...tick, seq: ack.seq });
    }
    const last = (symbol: string) => published.filter((tick) => tick.symbol === symbol).at(-1)!.seq;
    await waitFor("both writers to reach the last tick", () =>
      running.every(({ mirror }) => mirror.recent.lastSeq("btc") === last("btc") && mirror.recent.lastSeq("eth") === last("eth")),
    );
    for (const symbol of ["btc", "eth"]) {
      const stored: number[] = [];
      for await (const entry of await kv.history({ key: symbol })) stored.push(entry.json<SequencedTick>().seq);
      const expected = published.filter((tick) => tick.symbol === symbol).map((tick) => tick.seq);
      expect(stored).toEqual(expected.slice(-HISTORY_DEPTH));
    }
    // Said, not asserted: which writer wins each race is up to the scheduler.
    console.log(`${conflicts.length} writes refused by their revision check`);
  }, 30_000);
});
