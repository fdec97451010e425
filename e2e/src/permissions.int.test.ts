import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import {
  ASSETS_BUCKET,
  CANDLES_STREAM,
  HISTORY_WRITER_BUCKET,
  PRICE_HISTORY_BUCKET,
  PRICES_STREAM,
  WRITER_LEASE_KEY,
  ensureAssetsBucket,
  inboxPrefixFor,
  tickMsgId,
  visitTickWindow,
  type SequencedTick,
} from "@cryptostream/core";
import { WsTestClient, natsUserHashes, startNatsServer, waitFor } from "@cryptostream/testing";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runUntilExit } from "./processes";
import { startStack, type Stack } from "./stack";

const usersConf = fileURLToPath(new URL("../../nats-users.conf", import.meta.url));
const passwords = {
  INGEST_NATS_PASSWORD: "ingest-secret-1",
  BROADCASTER_NATS_PASSWORD: "broadcaster-secret-2",
  HISTORY_NATS_PASSWORD: "history-secret-3",
  VIEWER_NATS_PASSWORD: "viewer-secret-4",
  REPLAY_NATS_PASSWORD: "replay-secret-5",
  OPERATOR_NATS_PASSWORD: "operator-secret-6",
};
/** What nats-server reads: each user's bcrypt hash, as `make demo` and compose give it. */
const hashes = natsUserHashes(Object.fromEntries(Object.entries(passwords).map(([name, password]) => [name.replace(/_NATS_PASSWORD$/, ""), password])));
type TicksMessage = { type: string; ticks: SequencedTick[] };

describe("the pipeline with nats-users.conf: one least-privileged user per service", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      nats: { include: [usersConf], env: hashes },
      credentials: {
        ingest: { user: "ingest", pass: passwords.INGEST_NATS_PASSWORD },
        broadcaster: { user: "broadcaster", pass: passwords.BROADCASTER_NATS_PASSWORD },
        history: { user: "history", pass: passwords.HISTORY_NATS_PASSWORD },
        test: { user: "viewer", pass: passwords.VIEWER_NATS_PASSWORD },
        operator: { user: "operator", pass: passwords.OPERATOR_NATS_PASSWORD },
      },
    });
  });
  afterAll(() => stack?.close());
  /** A connection of one of the services' users, with its own inbox prefix. */
  const connectAs = (user: "ingest" | "history" | "replay" | "operator") =>
    connect({
      servers: stack.nats.url,
      user,
      pass: passwords[`${user.toUpperCase()}_NATS_PASSWORD` as keyof typeof passwords],
      inboxPrefix: inboxPrefixFor(user),
    });

  it("still carries a tick from the exchange to a WebSocket client, history and a window, with no permission violation", async () => {
    const client = await WsTestClient.open(`ws://127.0.0.1:${stack.broadcaster.port}/ws`);
    await client.waitForMessage((m) => m.type === "snapshot");
    stack.sim.tick();
    const btc = stack.sim.market.coins.get("btc")!;
    await client.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.ts === btc.updatedAt));
    // Ingest reports the source on status.sources.binance, the broadcaster hears it, and so may the viewer.
    const reports: string[] = [];
    stack.nc.subscribe("status.>", { callback: (_error, message) => void reports.push(message.subject) });
    const sourceUp = (m: { type: string; sources?: unknown }) =>
      m.type === "status" && (m.sources as Record<string, { state: string }>).binance?.state === "up";
    await client.waitForMessage(sourceUp, "binance up, from ingest's report");
    await waitFor("the viewer to see a source report", () => reports.includes("status.sources.binance"));
    const history = `http://127.0.0.1:${stack.history.port}`;
    await waitFor("the tick in history", async () =>
      ((await (await fetch(`${history}/api/history/btc`)).json()) as { ticks?: SequencedTick[] }).ticks?.some((t) => t.ts === btc.updatedAt),
    );
    const window = await (await fetch(`${history}/api/ticks?symbols=btc&since=1h`, { headers: { accept: "application/json" } })).json();
    expect((window as SequencedTick[]).some((t) => t.ts === btc.updatedAt)).toBe(true);
    expect(await (await fetch(`${history}/healthz`)).json()).toMatchObject({ ok: true, consumer: { pending: 0 } });
    await client.close();
    expect(stack.nats.output()).not.toMatch(/Violation/);
  });

  it("lets the viewer read the stream and the buckets but not publish prices", async () => {
    const jsm = await jetstreamManager(stack.nc);
    const before = (await jsm.streams.info(PRICES_STREAM)).state.messages;
    expect(before).toBeGreaterThan(0);
    stack.nc.publish("prices.btc", JSON.stringify({ symbol: "btc", price: 1, ts: Date.now(), source: "viewer" }));
    await stack.nc.flush();
    await waitFor("the server to refuse the publish", () => stack.nats.output().match(/Publish Violation.*"prices.btc"|Violation for Publish to "prices.btc"/));
    expect((await jsm.streams.info(PRICES_STREAM)).state.messages).toBe(before);
  });

  it("lets history write candles and the viewer watch them (nats sub 'candles.>', nats stream view CANDLES), but not publish one", async () => {
    // Two ticks a minute apart, straight from the ingest user: the second closes the first's 1m bar.
    const ingestConnection = await connectAs("ingest");
    const watched: string[] = [];
    stack.nc.subscribe("candles.>", { callback: (_error, message) => void watched.push(message.subject) });
    await stack.nc.flush();
    const minuteAgo = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    for (const tick of [
      { symbol: "permtest", price: 1, ts: minuteAgo + 1_000, source: "binance" },
      { symbol: "permtest", price: 2, ts: minuteAgo + 70_000, source: "binance" },
    ]) {
      await jetstream(ingestConnection).publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    }
    await ingestConnection.close();
    await waitFor("the viewer to see history's candle", () => watched.includes("candles.1m.permtest"));
    const jsm = await jetstreamManager(stack.nc);
    // The viewer reads its account's mirror of CANDLES, which follows the services' within moments.
    const stored = await waitFor("the candle in the viewers' mirror", () =>
      jsm.streams.getMessage(CANDLES_STREAM, { last_by_subj: "candles.1m.permtest" }).catch(() => undefined),
    );
    expect(stored?.json()).toMatchObject({ symbol: "permtest", interval: "1m", openTime: minuteAgo, open: 1, close: 1, ticks: 1, source: "ticks" });
    stack.nc.publish("candles.1m.permtest", stored!.data);
    await stack.nc.flush();
    await waitFor("the server to refuse the publish", () =>
      stack.nats.output().match(/Violation for Publish to "candles.1m.permtest"|Publish Violation.*"candles/),
    );
    expect((await jsm.streams.getMessage(CANDLES_STREAM, { last_by_subj: "candles.1m.permtest" }))?.seq).toBe(stored!.seq);
  });

  it("serves the nats CLI's recipes to the viewer from its own account's mirrors: stream view, sub --since, kv get, history and watch", async () => {
    stack.sim.tick();
    const bucket = await new Kvm(stack.nc).open(PRICE_HISTORY_BUCKET);
    const latest = stack.sim.market.coins.get("btc")!.updatedAt;
    await waitFor("btc's latest tick in the viewers' mirror", async () => (await bucket.get("btc"))?.json<{ ts: number }>().ts === latest, 15_000);
    // nats kv history price_history btc.
    const ticks: number[] = [];
    for await (const entry of await bucket.history({ key: "btc" })) ticks.push(entry.revision);
    expect(ticks.length).toBeGreaterThan(0);
    const js = jetstream(stack.nc);
    // nats stream view PRICES: an ordered consumer from the first kept tick.
    const first = await (await js.consumers.get(PRICES_STREAM)).next({ expires: 5_000 });
    expect(first?.seq).toBeGreaterThanOrEqual(1);
    // nats sub --stream PRICES 'prices.>' --since 10m.
    const since = await (
      await js.consumers.get(PRICES_STREAM, { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.now() - 600_000).toISOString() })
    ).next({
      expires: 5_000,
    });
    expect(since?.subject).toMatch(/^prices\./);
    // nats kv get assets btc, nats kv watch price_history.
    expect(await (await new Kvm(stack.nc).open(ASSETS_BUCKET)).get("btc")).toBeDefined();
    const watch = await bucket.watch();
    const seen: string[] = [];
    void (async () => {
      for await (const entry of watch) seen.push(entry.key);
    })();
    stack.sim.tick();
    await waitFor("a new value watched", () => seen.includes("btc"));
    watch.stop();
  });

  it("makes whatever consumer a viewer creates deliver inside the viewers' account: prices.btc or history's inbox as its deliver subject reach nothing of the services'", async () => {
    const operator = await connectAs("operator");
    const history = await connectAs("history");
    const services = await jetstreamManager(operator);
    const before = (await services.streams.info(PRICES_STREAM)).state.messages;
    const intoInbox: string[] = [];
    // The subject attacked alone: the history service's own replies arrive under the same prefix.
    history.subscribe("_INBOX_history.x", { callback: (_error, message) => void intoInbox.push(message.subject) });
    await history.flush();
    const inViewers: string[] = [];
    stack.nc.subscribe("prices.btc", { callback: (_error, message) => void inViewers.push(message.subject) });
    const viewer = await jetstreamManager(stack.nc);
    // The attack of the issue: candles delivered to prices.btc, ticks to another user's inbox.
    const onPrices = await viewer.consumers.add(PRICES_STREAM, {
      deliver_subject: "_INBOX_history.x",
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    const onCandles = await viewer.consumers.add(CANDLES_STREAM, {
      deliver_subject: "prices.btc",
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    // Delivered, but in the viewers' own account: a viewer subscribed to prices.btc gets the candles.
    await waitFor("the deliveries in the viewers' account", () => inViewers.length > 0);
    // The inbox consumer was made first: on a server that let it reach history's account, its first deliveries
    // would be on their way before the candles' were; a round trip on history's connection brings them in.
    await history.flush();
    expect((await services.streams.info(PRICES_STREAM)).state.messages).toBe(before);
    expect(intoInbox).toEqual([]);
    await viewer.consumers.delete(CANDLES_STREAM, onCandles.name).catch(() => undefined);
    await viewer.consumers.delete(PRICES_STREAM, onPrices.name).catch(() => undefined);
    // Nor can the viewer reach the services' JetStream API through the mirrors' import.
    stack.nc.publish("$JS.CRYPTOSTREAM.API.CONSUMER.CREATE.PRICES", JSON.stringify({ stream_name: "PRICES", config: { deliver_subject: "prices.btc" } }));
    await stack.nc.flush();
    await waitFor("the server to refuse it", () => stack.nats.output().match(/Violation for Publish to "\$JS\.CRYPTOSTREAM\.API/));
    await Promise.all([operator.close(), history.close()]);
  });

  it("lets the viewer see who writes history (nats kv get history_writer writer), and not take the lease", async () => {
    const lease = await new Kvm(stack.nc).open(HISTORY_WRITER_BUCKET);
    const entry = await lease.get(WRITER_LEASE_KEY);
    expect(entry?.json()).toMatchObject({ instance: expect.any(String), since: expect.any(Number) });
    await expect(lease.update(WRITER_LEASE_KEY, "{}", entry!.revision)).rejects.toThrow();
    await waitFor("the server to refuse the publish", () =>
      stack.nats.output().match(/Violation for Publish to "\$KV\.history_writer\.writer"|Publish Violation.*history_writer/),
    );
    expect((await lease.get(WRITER_LEASE_KEY))?.revision).toBeGreaterThanOrEqual(entry!.revision);
    expect((await lease.get(WRITER_LEASE_KEY))?.json()).toMatchObject({ instance: entry!.json<{ instance: string }>().instance });
  });

  it("does not let ingest subscribe to prices", async () => {
    const ingestConnection = await connectAs("ingest");
    const refused = new Promise<Error>((resolve) => ingestConnection.subscribe("prices.>", { callback: (error) => void (error && resolve(error)) }));
    expect((await refused).message).toMatch(/permissions violation/i);
    await ingestConnection.close();
  });

  it("lets ingest keep the assets bucket and the replay user read a window and republish it", async () => {
    const logBefore = stack.nats.output().length;
    const ingestConnection = await connectAs("ingest");
    const assets = await ensureAssetsBucket(ingestConnection);
    await assets.put("btc", JSON.stringify({ symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin" }));
    await ingestConnection.close();

    const replayConnection = await connectAs("replay");
    const republished: string[] = [];
    const watcher = stack.nc.subscribe("replay.prices.>", { callback: (_, message) => void republished.push(message.subject) });
    await stack.nc.flush();
    const count = await visitTickWindow(
      replayConnection,
      { sinceMs: Date.now() - 3_600_000, limit: 100 },
      {
        onTick: (tick) => replayConnection.publish(`replay.prices.${tick.symbol}`, JSON.stringify(tick)),
      },
    );
    await replayConnection.flush();
    expect(count).toBeGreaterThan(0);
    await waitFor("the republished ticks", () => republished.length === count);
    watcher.unsubscribe();
    await replayConnection.close();
    expect(stack.nats.output().slice(logBefore)).not.toMatch(/Publish Violation/);
  });

  it("lets history, the broadcaster and replay read a window long enough for flow control (their replies to $JS.FC)", async () => {
    const ingestConnection = await connectAs("ingest");
    const js = jetstream(ingestConnection);
    const ticks = 10_000; // nats-server asks a push consumer for flow control every ~4,000 ticks
    const firstTs = Date.now() - 60_000;
    for (let i = 0; i < ticks; i += 1_000) {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, j) => js.publish("prices.flow", JSON.stringify({ symbol: "flow", price: 1, ts: firstTs + i + j, source: "test" }))),
      );
    }
    await ingestConnection.close();
    const logBefore = stack.nats.output().length;
    for (const user of ["history", "broadcaster", "replay"] as const) {
      const password = passwords[`${user.toUpperCase() as Uppercase<typeof user>}_NATS_PASSWORD`];
      const connection = await connect({ servers: stack.nats.url, user, pass: password, inboxPrefix: inboxPrefixFor(user) });
      const count = await visitTickWindow(connection, { symbols: ["flow"], sinceMs: firstTs - 1_000, limit: 1_000_000 }, { onTick: () => undefined });
      await connection.close();
      expect({ user, count }).toEqual({ user, count: ticks });
    }
    expect(stack.nats.output().slice(logBefore)).not.toMatch(/Violation/);
  });

  it("refuses a wrong password: the service exits 1 with one line saying so", async () => {
    await expect(connect({ servers: stack.nats.url, user: "broadcaster", pass: "wrong" })).rejects.toThrow(/authorization/i);
    const { code, stderr } = await runUntilExit("broadcaster", {
      NATS_URL: stack.nats.url,
      NATS_USER: "broadcaster",
      NATS_PASSWORD: "wrong",
      BROADCASTER_PORT: "0",
    });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `broadcaster: NATS at ${stack.nats.url} refused user "broadcaster": Authorization Violation; check NATS_USER and NATS_PASSWORD`,
    ]);
  });
});

describe("services on a nats-server nobody provisioned", () => {
  it("exit 1 saying which stream is missing and that the operator provisions it, since their users may not create it", async () => {
    const nats = await startNatsServer({ include: [usersConf], env: hashes });
    try {
      for (const [service, env] of [
        ["ingest", { INGEST_PORT: "0", SOURCES: "coingecko", COINGECKO_API_URL: "http://127.0.0.1:1" }],
        ["history", { HISTORY_PORT: "0", CANDLE_BACKFILL: "false" }],
      ] as const) {
        const { code, stderr } = await runUntilExit(service, {
          NATS_URL: nats.url,
          NATS_USER: service,
          NATS_PASSWORD: passwords[`${service.toUpperCase()}_NATS_PASSWORD` as keyof typeof passwords],
          ...env,
        });
        expect(code).toBe(1);
        expect(stderr).toMatch(/stream PRICES does not exist and this service could not create it .*: run "pnpm provision" as the operator NATS user first/);
      }
      // `pnpm provision`'s entry point, as the operator: every stream and bucket, then the services start.
      const provisioned = await runUntilExit(
        "core",
        { NATS_URL: nats.url, NATS_USER: "operator", NATS_PASSWORD: passwords.OPERATOR_NATS_PASSWORD },
        "src/provision-main.ts",
      );
      expect(provisioned).toMatchObject({ code: 0 });
      const viewer = await connect({ servers: nats.url, user: "viewer", pass: passwords.VIEWER_NATS_PASSWORD });
      const jsm = await jetstreamManager(viewer);
      for (const stream of ["PRICES", "TICKS", "CANDLES", "KV_price_history", "KV_assets", "KV_history_writer"]) {
        expect((await jsm.streams.info(stream)).config.name).toBe(stream);
      }
      await viewer.close();
    } finally {
      await nats.cleanup();
    }
  });
});
