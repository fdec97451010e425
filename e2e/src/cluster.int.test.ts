import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PRICES_STREAM, createLogger, ensurePricesStream, type NatsConnection, type Tick } from "@cryptostream/core";
import { TickPublisher } from "@cryptostream/ingest";
import { startNatsCluster, waitFor, type NatsClusterHandle } from "@cryptostream/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

describe("a three-node JetStream cluster", () => {
  let cluster: NatsClusterHandle;
  let nc: NatsConnection;

  beforeEach(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    await waitFor(
      "the cluster to elect a JetStream leader",
      async () => {
        await (await jetstreamManager(nc)).getAccountInfo();
        return true;
      },
      30_000,
    );
  }, 60_000);
  afterEach(async () => {
    await nc?.close();
    await cluster?.cleanup();
  });

  // After a SIGKILL the followers wait out raft's election timeout, which nats-server draws
  // between 4 and 9 s (minElectionTimeoutDefault..maxElectionTimeoutDefault in server/raft.go,
  // not configurable), before they elect a new leader; the publisher adds at most its ack timeout
  // and a retry delay of up to 1 s. A SIGTERM hands leadership over as the server shuts down.
  // Loss and duplicates are the hard checks; the time to publish again is printed.
  it.each([
    ["SIGKILL", true, 12_000],
    ["SIGTERM", false, 5_000],
  ] as const)(
    "keeps every tick, once, when the stream leader gets %s while ticks flow, and publishes again once a leader is elected",
    async (signal, hard, within) => {
      await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000, replicas: 3 });
      const jsm = await jetstreamManager(nc);
      await waitFor(
        "the stream to have a leader and two replicas",
        async () => {
          const { cluster: placement } = await jsm.streams.info(PRICES_STREAM);
          return placement?.leader && placement.replicas?.length === 2 && placement.replicas.every((r) => r.current);
        },
        30_000,
      );

      const acked: { at: number; index: number }[] = [];
      const publisher = new TickPublisher({
        nc,
        logger: createLogger({ service: "ingest", level: "silent" }),
        onPublished: (tick) => acked.push({ at: Date.now(), index: tick.price }),
      });
      let published = 0;
      const base = Date.now();
      const publishing = setInterval(() => {
        const tick: Tick = { symbol: published % 2 ? "eth" : "btc", price: ++published, ts: base + published, source: "binance" };
        publisher.publish(tick);
      }, 5);
      await waitFor("ticks acked before the kill", () => acked.length >= 100);

      const leaderName = (await jsm.streams.info(PRICES_STREAM)).cluster!.leader!;
      const leader = cluster.servers[Number(leaderName.slice(1)) - 1]!;
      const killedAt = Date.now();
      const publishedBeforeKill = published;
      await leader.stop({ hard });
      const resumed = () => acked.find((ack) => ack.at > killedAt && ack.index > publishedBeforeKill);
      await waitFor("a tick published after the kill to be acked", resumed, 20_000);
      const ackedAtResume = acked.length;
      await waitFor("ticks to flow on the new leader", () => acked.length >= ackedAtResume + 100);
      clearInterval(publishing);
      await publisher.flush();
      publisher.close();

      const resumedAt = resumed()!.at;
      console.log(`${signal} of the stream leader: publishing acked again ${resumedAt - killedAt} ms after the signal`);
      expect(resumedAt - killedAt).toBeLessThan(within);

      const info = await jsm.streams.info(PRICES_STREAM);
      expect(info.state.messages).toBe(published);
      const prices = new Set<number>();
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        prices.add((await jsm.streams.getMessage(PRICES_STREAM, { seq }))!.json<Tick>().price);
      }
      expect(prices.size).toBe(published);
    },
    120_000,
  );
});
