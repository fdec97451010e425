import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PRICES_STREAM, createLogger, createMetrics, tickMsgId, type NatsConnection, type SequencedTick, type Tick } from "@cryptostream/core";
import { WsTestClient, startNatsServer, waitFor, type NatsServerHandle, type ReceivedMessage } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHs256 } from "./admission";
import { startBroadcaster, type BroadcasterService } from "./app";
import { MAX_UNSEEN_SYMBOLS } from "./connection";
import { loadBroadcasterConfig } from "./config";

type TicksMessage = { type: string; ticks: SequencedTick[] };
const ticksOf = (client: WsTestClient, ...types: string[]) =>
  client.messages.filter((m) => types.includes(m.type)).flatMap((m) => (m as unknown as TicksMessage).ticks);
const seqsOf = (ticks: SequencedTick[]) => ticks.map((t) => t.seq);

describe("broadcaster protocol v1 on a real nats-server", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const instances: BroadcasterService[] = [];
  const published: SequencedTick[] = [];
  let ts = 1_763_800_000_000;

  const start = async (env: Record<string, string> = {}) => {
    const config = loadBroadcasterConfig({
      NATS_URL: server.url,
      BROADCASTER_PORT: "0",
      SIMULATED: "true",
      BROADCASTER_ID: `b${instances.length + 1}`,
      ...env,
    });
    const broadcaster = await startBroadcaster({
      config,
      nc,
      logger: createLogger({ service: "broadcaster", level: "silent" }),
      metrics: createMetrics("broadcaster"),
    });
    instances.push(broadcaster);
    return broadcaster;
  };
  const publish = async (symbol: string) => {
    const tick: Tick = { symbol, price: 100 + published.length, ts: ts++, source: "binance" };
    const ack = await js.publish(`prices.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    published.push({ ...tick, seq: ack.seq });
    return ack.seq;
  };
  const caughtUp = (broadcaster: BroadcasterService) =>
    waitFor("the broadcaster to flush the last tick", () => broadcaster.hub.lastSeq === published.at(-1)!.seq);
  const url = (broadcaster: BroadcasterService, query = "") => `ws://127.0.0.1:${broadcaster.port}/ws${query}`;
  let main: BroadcasterService;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    js = jetstream(nc);
    main = await start({ HEARTBEAT_INTERVAL: "100ms", CLIENT_MESSAGE_RATE: "10" });
    for (const symbol of ["btc", "eth", "sol", "btc", "eth", "sol"]) await publish(symbol);
    await caughtUp(main);
  });
  afterAll(async () => {
    await Promise.all(instances.map((b) => b.close()));
    await nc?.close();
    await server?.cleanup();
  });

  it("says hello with the version, server id, symbols and whether the data is simulated, then sends the snapshot", async () => {
    const client = await WsTestClient.open(url(main));
    await client.waitForMessage((m) => m.type === "snapshot");
    const { created } = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM);
    expect(client.messages[0]).toEqual({
      type: "hello",
      version: 1,
      serverId: "b1",
      symbols: ["btc", "eth", "sol"],
      simulated: true,
      epoch: created,
      status: { symbols: {}, sources: {} },
    });
    expect(seqsOf(ticksOf(client, "snapshot"))).toEqual([4, 5, 6]);
    await client.close();
  });

  it("sends only the subscribed symbols, from the URL or from subscribe and unsubscribe", async () => {
    const client = await WsTestClient.open(url(main, "?symbols=btc"));
    await client.waitForMessage((m) => m.type === "snapshot");
    expect(ticksOf(client, "snapshot").map((t) => t.symbol)).toEqual(["btc"]);
    client.send({ type: "subscribe", symbols: ["eth"] });
    await client.waitForMessage((m) => m.type === "subscribed");
    expect(client.messages.find((m) => m.type === "subscribed")).toEqual({ type: "subscribed", symbols: ["btc", "eth"] });
    client.send({ type: "unsubscribe", symbols: ["btc"] });
    await client.waitForMessage((m) => m.type === "subscribed" && (m.symbols as string[]).length === 1);
    const live = await publish("btc");
    const eth = await publish("eth");
    await client.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === eth));
    expect(seqsOf(ticksOf(client, "ticks"))).toEqual([eth]);
    expect(seqsOf(ticksOf(client, "ticks"))).not.toContain(live);
    await client.close();
  });

  it("resumes without a gap or a duplicate, on another instance too", async () => {
    const second = await start();
    const first = await WsTestClient.open(url(main, "?symbols=btc,sol"));
    await first.waitForMessage((m) => m.type === "snapshot");
    const seen = await publish("btc");
    await first.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === seen));
    await first.close();

    for (const symbol of ["btc", "eth", "sol", "btc", "sol"]) await publish(symbol);
    await caughtUp(second);
    const moved = await WsTestClient.open(url(second, `?symbols=btc,sol&resume=${seen}`));
    const after = await publish("sol");
    await moved.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === after));
    const expected = published.filter((t) => t.seq > seen && t.symbol !== "eth");
    expect(ticksOf(moved, "ticks", "snapshot")).toEqual(expected);
    expect(moved.messages[0]).toMatchObject({ type: "hello", serverId: "b2" });
    await moved.close();
  });

  it("resumes without a gap on an instance that has only just started", async () => {
    const seen = published.at(-1)!.seq;
    for (const symbol of ["btc", "eth", "sol", "btc"]) await publish(symbol);
    const fresh = await start();
    const client = await WsTestClient.open(url(fresh, `?resume=${seen}`));
    const after = await publish("eth");
    await client.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === after));
    expect(seqsOf(ticksOf(client, "ticks", "snapshot"))).toEqual(seqsOf(published.filter((t) => t.seq > seen)));
    await client.close();
  });

  it("answers a resume point older than the stream, or from another stream, with reset and a fresh snapshot", async () => {
    const client = await WsTestClient.open(url(main, "?resume=999999"));
    await client.waitForMessage((m) => m.type === "snapshot");
    expect(client.messages.map((m) => m.type)).toEqual(["hello", "reset", "snapshot"]);
    await client.close();
  });

  it("resumes with the epoch hello gave, and answers a seq of another epoch with reset (with the epoch now) and a snapshot", async () => {
    const { created } = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM);
    const seen = published.at(-1)!.seq;
    const after = await publish("btc");
    await caughtUp(main);
    const same = await WsTestClient.open(url(main, `?resume=${seen}&epoch=${encodeURIComponent(created)}`));
    await same.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === after));
    expect(same.messages.map((m) => m.type)).not.toContain("reset");
    await same.close();
    const other = await WsTestClient.open(url(main, `?resume=${seen}&epoch=1999-01-01T00%3A00%3A00Z`));
    await other.waitForMessage((m) => m.type === "snapshot");
    expect(other.messages.slice(0, 2)).toEqual([expect.objectContaining({ type: "hello" }), { type: "reset", epoch: created }]);
    await other.close();
  });

  it("replays a window as pages, then replay_end, while live ticks go on", async () => {
    const client = await WsTestClient.open(url(main));
    await client.waitForMessage((m) => m.type === "snapshot");
    client.send({ type: "replay", since: "1h", symbols: ["eth"] });
    const end = await client.waitForMessage((m) => m.type === "replay_end");
    const eth = published.filter((t) => t.symbol === "eth");
    expect(end).toEqual({ type: "replay_end", count: eth.length });
    expect(ticksOf(client, "replay")).toEqual(eth);
    const live = await publish("btc");
    await client.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === live));
    await client.close();
  });

  it("answers ping with pong", async () => {
    const client = await WsTestClient.open(url(main));
    client.send({ type: "ping" });
    const pong = await client.waitForMessage((m) => m.type === "pong");
    expect(typeof pong.ts).toBe("number");
    await client.close();
  });

  it.each([
    ["not json", "bad_json"],
    [{ type: "launch" }, "unknown_type"],
    [{ type: "subscribe", symbols: "btc" }, "bad_request"],
    [{ type: "subscribe", symbols: ["Doge!"] }, "bad_request"],
    [{ type: "replay", since: "yesterday" }, "bad_request"],
  ])("answers %j with an error and keeps the connection", async (frame, code) => {
    const client = await WsTestClient.open(url(main));
    client.send(frame);
    const error = await client.waitForMessage((m) => m.type === "error");
    expect(error).toMatchObject({ type: "error", code });
    expect(String((error as ReceivedMessage).message).length).toBeGreaterThan(5);
    client.send({ type: "ping" });
    await client.waitForMessage((m) => m.type === "pong");
    await client.close();
  });

  it("closes with 1009 on a frame over 4 KiB, 1003 on a binary frame, 1008 on a flood; others are unaffected", async () => {
    const bystander = await WsTestClient.open(url(main));
    const big = await WsTestClient.open(url(main));
    big.send(JSON.stringify({ type: "ping", pad: "x".repeat(5_000) }));
    expect(await big.closed()).toBe(1009);
    const binary = await WsTestClient.open(url(main));
    binary.socket.send(Buffer.from([1, 2, 3]));
    expect(await binary.closed()).toBe(1003);
    const flood = await WsTestClient.open(url(main));
    for (let i = 0; i < 60; i++) flood.send({ type: "ping" });
    expect(await flood.closed()).toBe(1008);
    expect(flood.messages.filter((m) => m.type === "error")).toEqual([{ type: "error", code: "rate_limited", message: "at most 10 messages per second" }]);
    const live = await publish("eth");
    await bystander.waitForMessage((m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === live));
    await bystander.close();
  });

  it("terminates a client that misses two pings", async () => {
    const silent = await WsTestClient.open(url(main), { autoPong: false });
    expect(await silent.closed(5_000)).toBe(1006);
  });

  it("checks origin, token and connection limits before the upgrade", async () => {
    const secret = "s".repeat(32);
    const guarded = await start({ ALLOWED_ORIGINS: "http://ok.test", AUTH_JWT_SECRET: secret, AUTH_TOKEN: "t".repeat(16), MAX_CONNECTIONS_PER_IP: "1" });
    const origin = { headers: { origin: "http://ok.test" } };
    expect((await WsTestClient.refusal(url(guarded), { headers: { origin: "http://evil.test" } })).status).toBe(403);
    expect((await WsTestClient.refusal(url(guarded), origin)).status).toBe(401);
    expect((await WsTestClient.refusal(url(guarded, "?token=wrong"), origin)).status).toBe(401);
    const expired = signHs256({ sub: "x", exp: Math.floor(Date.now() / 1000) - 10 }, secret);
    expect((await WsTestClient.refusal(url(guarded, `?token=${expired}`), origin)).status).toBe(401);
    const jwt = signHs256({ sub: "x", exp: Math.floor(Date.now() / 1000) + 60 }, secret);
    const first = await WsTestClient.open(url(guarded, `?token=${jwt}`), origin);
    const refusedSecond = await WsTestClient.refusal(url(guarded, `?token=${"t".repeat(16)}`), origin);
    expect(refusedSecond.status).toBe(429);
    expect(JSON.parse(refusedSecond.body)).toMatchObject({ error: { message: expect.stringContaining("too many connections") } });
    await first.close();
    await waitFor("the slot to free", () => guarded.hub.clientCount === 0);
    const shared = await WsTestClient.open(url(guarded, `?token=${"t".repeat(16)}`), origin);
    await shared.close();
  });

  it.each([
    [{ type: "replay", since: -1e20 }],
    [{ type: "replay", since: "99999999999999999999999" }],
    [{ type: "replay", since: 1e300 }],
    [{ type: "replay", since: "99999999999d" }],
    [{ type: "resume", seq: 1e300 }],
    [{ type: "resume", seq: -1 }],
  ])("refuses %j with bad_request where it is parsed, and nothing fails later (the window reader's timer once crashed the process)", async (frame) => {
    const client = await WsTestClient.open(url(main));
    await client.waitForMessage((m) => m.type === "snapshot");
    client.send(frame);
    expect(await client.waitForMessage((m) => m.type === "error")).toMatchObject({ code: "bad_request" });
    client.send({ type: "ping" });
    await client.waitForMessage((m) => m.type === "pong");
    await client.close();
  });

  it("sends hello first even when the URL names malformed symbols, then the error", async () => {
    const client = await WsTestClient.open(url(main, "?symbols=btc,ZZZ!"));
    await client.waitForMessage((m) => m.type === "snapshot");
    expect(client.messages.map((m) => m.type)).toEqual(["hello", "error", "snapshot"]);
    expect(client.messages[1]).toMatchObject({ code: "unknown_symbol", message: "unknown symbols: ZZZ!" });
    await client.close();
  });

  it.each([
    ["?resume=1&resume=2", "resume"],
    ["?symbols=btc&symbols=eth", "symbols"],
    ["?throttle=1s&throttle=2s", "throttle"],
  ])("refuses a parameter given twice in the URL (%s) and ignores it", async (query, name) => {
    const client = await WsTestClient.open(url(main, query));
    await client.waitForMessage((m) => m.type === "snapshot");
    expect(client.messages.map((m) => m.type)).toEqual(["hello", "error", "snapshot"]);
    expect(client.messages[1]).toMatchObject({ code: "bad_request", message: expect.stringContaining(`${name} is given 2 times`) });
    // Ignored: a whole snapshot, not a resume nor a narrowed subscription.
    expect(seqsOf(ticksOf(client, "snapshot")).length).toBeGreaterThanOrEqual(3);
    await client.close();
  });

  it("runs one replay or resume per connection: a second is refused while the first runs, and a resume far too big for the URL is refused", async () => {
    const client = await WsTestClient.open(url(main, "?resume=99999999999999999999"));
    await client.waitForMessage((m) => m.type === "snapshot");
    expect(client.messages[1]).toMatchObject({ type: "error", code: "bad_request" });
    client.send({ type: "replay", since: "1h" });
    client.send({ type: "resume", seq: 1 });
    expect(await client.waitForMessage((m) => m.type === "error" && m.code === "bad_request" && String(m.message).includes("already running"))).toBeTruthy();
    await client.waitForMessage((m) => m.type === "replay_end");
    await client.close();
  });

  it("refuses replays past the instance's window-read slots with busy, and a resume with busy and 1013, while others are served", async () => {
    const tight = await start({ WINDOW_READS_MAX: "1", WINDOW_READS_QUEUE: "1", WINDOW_READS_PER_IP: "10" });
    // Slow readers: a replay waits for a client over its soft limit, so each holds its slot.
    const clients = await Promise.all(Array.from({ length: 4 }, () => WsTestClient.open(url(tight))));
    await Promise.all(clients.map((c) => c.waitForMessage((m) => m.type === "snapshot")));
    clients.forEach((c) => c.send({ type: "replay", since: "1h" }));
    const outcomes = await Promise.all(clients.map((c) => c.waitForMessage((m) => m.type === "replay_end" || (m.type === "error" && m.code === "busy"))));
    expect(outcomes.filter((m) => m.type === "error").length).toBeGreaterThanOrEqual(1);
    expect(outcomes.filter((m) => m.type === "replay_end").length).toBeGreaterThanOrEqual(1);
    expect(String(outcomes.find((m) => m.type === "error")!.message)).toMatch(/busy/);
    await Promise.all(clients.map((c) => c.close()));
  });

  it("throttles a client that asks: the latest of each symbol that changed, at most once per interval, ending at the latest", async () => {
    const throttled = await WsTestClient.open(url(main, "?throttle=1s"));
    await throttled.waitForMessage((m) => m.type === "snapshot");
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(await publish(["btc", "eth"][i % 2]!));
    const lastBtc = published.filter((t) => t.symbol === "btc").at(-1)!.seq;
    const lastEth = published.filter((t) => t.symbol === "eth").at(-1)!.seq;
    await throttled.waitForMessage(
      (m) => m.type === "ticks" && (m as unknown as TicksMessage).ticks.some((t) => t.seq === Math.max(lastBtc, lastEth)),
      "the latest ticks",
      5_000,
    );
    const messages = throttled.ofType<TicksMessage>("ticks");
    // 20 ticks published in well under 2 s: one message at once, then at most one a second.
    expect(messages.length).toBeLessThanOrEqual(3);
    expect(seqsOf(messages.at(-1)!.ticks).sort((a, b) => a - b)).toEqual([lastBtc, lastEth].sort((a, b) => a - b));
    expect(messages.flatMap((m) => m.ticks).some((t) => (t as { conflated?: boolean }).conflated)).toBe(true);

    throttled.send({ type: "subscribe", symbols: [], throttle: "250ms" });
    // No symbols named: still every symbol; a new throttle brings a snapshot of all of them.
    expect(await throttled.waitForMessage((m) => m.type === "subscribed")).toEqual({ type: "subscribed", symbols: ["btc", "eth", "sol"], throttle: 250 });
    await waitFor("a second snapshot", () => throttled.ofType("snapshot").length === 2);
    const latest = throttled.ofType<TicksMessage>("snapshot")[1]!.ticks;
    expect(latest.map((t) => t.symbol).sort()).toEqual(["btc", "eth", "sol"]);
    expect(seqsOf(latest)).toEqual(expect.arrayContaining([lastBtc, lastEth]));
    for (const bad of ["50ms", "2m", "soon", -1]) throttled.send({ type: "subscribe", symbols: [], throttle: bad });
    await waitFor("four refusals", () => throttled.ofType("error").length === 4);
    await throttled.close();

    const bad = await WsTestClient.open(url(main, "?throttle=forever"));
    await bad.waitForMessage((m) => m.type === "snapshot");
    expect(bad.messages[1]).toMatchObject({ type: "error", code: "bad_request", message: expect.stringContaining("throttle") });
    await bad.close();
  });

  it("brings a throttled client that resumes the latest of each symbol, not every tick", async () => {
    const seen = published.at(-1)!.seq;
    for (const symbol of ["btc", "eth", "btc", "eth"]) await publish(symbol);
    await caughtUp(main);
    const client = await WsTestClient.open(url(main, `?throttle=250ms&resume=${seen}`));
    const snapshot = await client.waitForMessage((m) => m.type === "snapshot");
    expect(seqsOf((snapshot as unknown as TicksMessage).ticks)).toEqual(seqsOf(main.hub.snapshotFor({ wants: () => true } as never)));
    expect(client.ofType("reset")).toEqual([]);
    await client.close();
  });

  it("keeps a JWT connection only until its exp, unless an auth message brings a newer token", async () => {
    const secret = "k".repeat(32);
    const guarded = await start({ AUTH_JWT_SECRET: secret, AUTH_JWT_AUDIENCE: "cryptostream", AUTH_JWT_ISSUER: "issuer.test" });
    const token = (expInMs: number, claims: Record<string, unknown> = {}) =>
      signHs256({ sub: "x", aud: "cryptostream", iss: "issuer.test", exp: (Date.now() + expInMs) / 1000, ...claims }, secret);
    const expiring = await WsTestClient.open(url(guarded, `?token=${token(1_500)}`));
    const refreshed = await WsTestClient.open(url(guarded, `?token=${token(1_500)}`));
    await refreshed.waitForMessage((m) => m.type === "snapshot");
    refreshed.send({ type: "auth", token: "not-a-jwt" });
    expect(await refreshed.waitForMessage((m) => m.type === "error")).toMatchObject({ code: "unauthorized" });
    refreshed.send({ type: "auth", token: token(60_000) });
    expect(await refreshed.waitForMessage((m) => m.type === "authenticated")).toMatchObject({ expiresAt: expect.any(Number) });
    expect(await expiring.closed(5_000)).toBe(4001);
    expect(expiring.messages.at(-1)).toMatchObject({ type: "error", code: "token_expired" });
    refreshed.send({ type: "ping" });
    await refreshed.waitForMessage((m) => m.type === "pong");
    await refreshed.close();

    const refusedWith = async (query: string, headers: Record<string, string> = {}) =>
      JSON.parse((await WsTestClient.refusal(url(guarded, query), { headers })).body).error.message as string;
    expect(await refusedWith(`?token=${token(60_000, { exp: String(Math.floor(Date.now() / 1000) + 60) })}`)).toMatch(/exp must be a number/);
    expect(await refusedWith(`?token=${token(60_000, { nbf: "0" })}`)).toMatch(/nbf must be a number/);
    expect(await refusedWith(`?token=${token(60_000, { aud: "someone-else" })}`)).toMatch(/aud must be cryptostream/);
    expect(await refusedWith(`?token=${token(60_000, { iss: "evil.test" })}`)).toMatch(/iss must be issuer.test/);
    // An empty ?token= does not hide a valid Authorization header.
    const viaHeader = await WsTestClient.open(url(guarded, "?token="), { headers: { authorization: `Bearer ${token(60_000)}` } });
    await viaHeader.waitForMessage((m) => m.type === "snapshot");
    await viaHeader.close();
  });

  it("closes every client with 1001 going away on shutdown", async () => {
    const leaving = await start();
    const client = await WsTestClient.open(url(leaving));
    await leaving.close();
    instances.splice(instances.indexOf(leaving), 1);
    expect(await client.closed()).toBe(1001);
    expect(client.closeReason).toBe("going away");
  });

  // Last: they add symbols to the hub that the tests above list exactly.
  it("keeps a subscription to a symbol not seen yet, with a notice, and delivers its ticks once they exist, in the URL and in a message", async () => {
    const inUrl = await WsTestClient.open(url(main, "?symbols=btc,newa"));
    await inUrl.waitForMessage((m) => m.type === "snapshot");
    expect(inUrl.messages.map((m) => m.type)).toEqual(["hello", "notice", "snapshot"]);
    expect(inUrl.messages[1]).toMatchObject({ code: "unseen_symbols", symbols: ["newa"] });
    const inMessage = await WsTestClient.open(url(main, "?symbols=btc"));
    await inMessage.waitForMessage((m) => m.type === "snapshot");
    inMessage.send({ type: "subscribe", symbols: ["newb"] });
    expect(await inMessage.waitForMessage((m) => m.type === "notice")).toMatchObject({ code: "unseen_symbols", symbols: ["newb"] });
    expect(await inMessage.waitForMessage((m) => m.type === "subscribed")).toMatchObject({ symbols: ["btc", "newb"] });
    const everything = await WsTestClient.open(url(main));
    await everything.waitForMessage((m) => m.type === "snapshot");
    const [a, b] = [await publish("newa"), await publish("newb")];
    await waitFor("newa's tick", () => seqsOf(ticksOf(inUrl, "ticks")).includes(a));
    await waitFor("newb's tick", () => seqsOf(ticksOf(inMessage, "ticks")).includes(b));
    await waitFor("both reaching a client of every symbol", () => [a, b].every((seq) => seqsOf(ticksOf(everything, "ticks")).includes(seq)));
    expect(ticksOf(inUrl, "ticks").map((tick) => tick.symbol)).toEqual(["newa"]);
    await Promise.all([inUrl.close(), inMessage.close(), everything.close()]);
  });

  it("refuses a connection's unseen symbols past its limit, keeping the others", async () => {
    const client = await WsTestClient.open(url(main, "?symbols=btc"));
    await client.waitForMessage((m) => m.type === "snapshot");
    client.send({ type: "subscribe", symbols: Array.from({ length: MAX_UNSEEN_SYMBOLS + 5 }, (_, i) => `zz${i}`) });
    expect(await client.waitForMessage((m) => m.type === "error")).toMatchObject({ code: "unknown_symbol" });
    const subscribed = await client.waitForMessage((m) => m.type === "subscribed");
    expect((subscribed as unknown as { symbols: string[] }).symbols).toHaveLength(MAX_UNSEEN_SYMBOLS + 1);
    await client.close();
  });
});

describe("a broadcaster that cannot reach the stream", () => {
  it("closes a resume with 1013 try again later, so the client comes back with the same seq", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1 });
    const config = loadBroadcasterConfig({ NATS_URL: server.url, BROADCASTER_PORT: "0" });
    const broadcaster = await startBroadcaster({
      config,
      nc,
      logger: createLogger({ service: "broadcaster", level: "silent" }),
      metrics: createMetrics("broadcaster"),
    });
    try {
      await server.stop({ hard: true });
      const client = await WsTestClient.open(`ws://127.0.0.1:${broadcaster.port}/ws?resume=1`);
      expect(await client.closed(15_000)).toBe(1013);
      expect(client.closeReason).toBe("resume failed, try again");
    } finally {
      await broadcaster.close();
      await nc.close();
      await server.cleanup();
    }
  }, 30_000);
});

describe("a PRICES stream deleted and made again (a new epoch, seqs from 1)", () => {
  it("answers a client resuming with a seq of the old stream with reset and the new epoch, never with the new stream's ticks", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const js = jetstream(nc);
    const logger = createLogger({ service: "broadcaster", level: "silent" });
    const start = () =>
      startBroadcaster({ config: loadBroadcasterConfig({ NATS_URL: server.url, BROADCASTER_PORT: "0" }), nc, logger, metrics: createMetrics("broadcaster") });
    const publish = async (price: number) =>
      (await js.publish("prices.btc", JSON.stringify({ symbol: "btc", price, ts: 1_763_800_000_000 + price, source: "binance" }))).seq;
    let first = await start();
    try {
      for (let i = 1; i <= 5; i++) await publish(i);
      const client = await WsTestClient.open(`ws://127.0.0.1:${first.port}/ws`);
      const hello = await client.waitForMessage((m) => m.type === "hello");
      await client.close();
      await first.close();

      await (await jetstreamManager(nc)).streams.delete(PRICES_STREAM);
      // Give the new stream a creation time of its own (nats-server keeps it in ns, but be sure).
      await new Promise((resolve) => setTimeout(resolve, 5));
      first = await start();
      let last = 0;
      for (let i = 100; i < 110; i++) last = await publish(i);
      const restarted = first;
      await waitFor("the new stream's ticks flushed", () => restarted.hub.lastSeq === last);
      const { created } = await (await jetstreamManager(nc)).streams.info(PRICES_STREAM);
      expect(created).not.toBe(hello.epoch);
      const resumed = await WsTestClient.open(`ws://127.0.0.1:${first.port}/ws?resume=3&epoch=${encodeURIComponent(String(hello.epoch))}`);
      await resumed.waitForMessage((m) => m.type === "snapshot");
      expect(resumed.messages.map((m) => m.type).slice(0, 3)).toEqual(["hello", "reset", "snapshot"]);
      // Nothing read from the new stream after its seq 3, as a resume without the epoch would have.
      expect(resumed.ofType("ticks")).toEqual([]);
      expect(resumed.messages[1]).toEqual({ type: "reset", epoch: created });
      await resumed.close();
    } finally {
      await first.close();
      await nc.close();
      await server.cleanup();
    }
  }, 30_000);
});
