import { connect as tcpConnect } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PRICES_STREAM, type NatsConnection } from "@cryptostream/core";
import { WsTestClient, rssBytes, serveUi, waitFor } from "@cryptostream/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bystander, type LatencySummary } from "./hostile/bystander";
import { startHostileStack, type HostileStack, type NatsUser } from "./hostile/stack";

/**
 * Hostile tenants: what one user can do to everyone else, on real processes. The short form
 * runs in `make test`; `make hostile` runs the long one (HOSTILE=long), at the scale the
 * findings of the hardening issue were measured: 300,000 stored ticks, 49 replays of 100,000.
 */
const LONG = process.env.HOSTILE === "long";
const SCALE = LONG
  ? { storedTicks: 300_000, liveRate: 100, floodClients: 49, replayWindow: "2h", resumeBack: 50_000, stalledReaders: 200, spoofed: 120 }
  : { storedTicks: 30_000, liveRate: 100, floodClients: 20, replayWindow: "2h", resumeBack: 10_000, stalledReaders: 10, spoofed: 60 };
/**
 * A bystander's live ticks may arrive this late at worst under any flood (the findings: stalls of
 * 3 to 11.4 s). The short form runs inside `make test`, beside other suites on the same two cores,
 * so it allows more; the long form runs alone.
 */
const BYSTANDER_MAX_MS = LONG ? 2_000 : 5_000;
const ATTACKER = "203.0.113.66";

describe(`hostile tenants (${LONG ? "long" : "short"} form) against real processes`, () => {
  let stack: HostileStack;
  let bystander: Bystander;
  const figures: Record<string, LatencySummary & Record<string, number | string>> = {};
  const wsUrl = (query = "") => `ws://127.0.0.1:${stack.broadcaster.port}/ws${query}`;
  const fromAddress = (address: string) => ({ headers: { "x-forwarded-for": address } });
  const health = async <T>(service: "broadcaster" | "history") => (await stack[service].health<T>())!;

  /** Runs an attack, then records the bystander's latency over it and checks it was served on time, gapless. */
  const underAttack = async (name: string, attack: () => Promise<Record<string, number | string>>) => {
    bystander.phase();
    const outcome = await attack();
    // The phase ends with a tick published after the attack, so a stall shows in its latency.
    const attackEnded = Date.now();
    await waitFor("a tick published after the attack", () => bystander.latestTs >= attackEnded, BYSTANDER_MAX_MS);
    const latency = bystander.phase();
    figures[name] = { ...latency, ...outcome };
    expect(latency.ticks).toBeGreaterThan(0);
    expect(latency.maxMs).toBeLessThan(BYSTANDER_MAX_MS);
    expect(bystander.gaps).toBe(0);
    expect(stack.broadcaster.pid).toBeDefined();
    expect(stack.broadcaster.unexpectedExits + stack.history.unexpectedExits).toBe(0);
  };

  beforeAll(async () => {
    stack = await startHostileStack({
      storedTicks: SCALE.storedTicks,
      liveRate: SCALE.liveRate,
      broadcasterEnv: { SEND_TIMEOUT: "5s", RESUME_MAX_TICKS: String(SCALE.resumeBack * 2) },
      historyEnv: { SEND_TIMEOUT: "2s" },
    });
    bystander = await Bystander.open(wsUrl(), "198.51.100.1");
    await sleep(1_000);
    figures.baseline = { ...bystander.phase() };
  }, 180_000);
  afterAll(async () => {
    bystander?.close();
    if (Object.keys(figures).length > 0) console.table(figures);
    await stack?.close();
  });

  it("survives the replays that crashed the broadcaster: bad_request, and the process still serves 8 s later", async () => {
    await underAttack("crash frames", async () => {
      const attacker = await WsTestClient.open(wsUrl(), fromAddress(ATTACKER));
      await attacker.waitForMessage((m) => m.type === "snapshot");
      attacker.send({ type: "replay", since: -1e20 });
      attacker.send({ type: "replay", since: "9".repeat(23) });
      await waitFor("both refusals", () => attacker.ofType("error").length === 2);
      expect(attacker.ofType("error").map((m) => m.code)).toEqual(["bad_request", "bad_request"]);
      // The old crash came about 6 s later, from a timer of the failed read.
      await sleep(8_000);
      expect(await stack.broadcaster.healthy()).toBe(true);
      await attacker.close();
      return {};
    });
  }, 30_000);

  it(`keeps a bystander on time while ${SCALE.floodClients} replays of the whole stream come from one address: a few run, the rest are refused busy`, async () => {
    await underAttack("replay flood", async () => {
      const attackers = await Promise.all(Array.from({ length: SCALE.floodClients }, () => WsTestClient.open(wsUrl(), fromAddress(ATTACKER))));
      await Promise.all(attackers.map((a) => a.waitForMessage((m) => m.type === "snapshot")));
      attackers.forEach((a) => a.send({ type: "replay", since: SCALE.replayWindow }));
      const outcomes = await Promise.all(
        attackers.map((a) => a.waitForMessage((m) => m.type === "replay_end" || m.type === "error", "a replay's end", 120_000)),
      );
      const ended = outcomes.filter((m) => m.type === "replay_end");
      const busy = outcomes.filter((m) => m.type === "error" && m.code === "busy");
      expect(ended.length + busy.length).toBe(SCALE.floodClients);
      expect(ended.length).toBeGreaterThan(0);
      expect(busy.length).toBeGreaterThan(0);
      for (const end of ended) expect(end.count).toBeGreaterThanOrEqual(Math.min(SCALE.storedTicks, 100_000) * 0.5);
      await Promise.all(attackers.map((a) => a.close()));
      return { completed: ended.length, refusedBusy: busy.length };
    });
    expect(stack.nats.output()).not.toMatch(/Slow Consumer Detected.*"broadcaster"/);
  }, 180_000);

  it(`keeps a bystander on time through a herd of ${SCALE.floodClients} resumes ${SCALE.resumeBack} ticks back, each from its own address`, async () => {
    await underAttack("resume herd", async () => {
      const from = stack.lastSeededSeq - SCALE.resumeBack;
      const herd = await Promise.all(
        Array.from({ length: SCALE.floodClients }, (_, i) => WsTestClient.open(wsUrl(`?resume=${from}`), fromAddress(`203.0.113.${i + 1}`))),
      );
      // Caught up: live ticks after the resumed ones; or refused: busy and 1013, to come back later.
      await Promise.all(
        herd.map((c) => waitFor("the resume to end", () => c.closeCode !== undefined || c.messages.filter((m) => m.type === "ticks").length > 2, 120_000)),
      );
      const refused = herd.filter((c) => c.closeCode === 1013).length;
      expect(herd.filter((c) => c.closeCode !== undefined && c.closeCode !== 1013)).toEqual([]);
      await Promise.all(herd.map((c) => c.close()));
      return { caughtUp: herd.length - refused, refusedBusy: refused };
    });
  }, 180_000);

  it("stops serving a client that queued 200 resumes and left: the reads end, nothing is left running", async () => {
    await underAttack("queued resumes, then gone", async () => {
      const attacker = await WsTestClient.open(wsUrl(), fromAddress(ATTACKER));
      await attacker.waitForMessage((m) => m.type === "snapshot");
      for (let i = 0; i < 200; i++) attacker.send({ type: "resume", seq: 1 });
      await attacker.close();
      await waitFor(
        "no window read left",
        async () => (await health<{ windowReads: { active: number; queued: number } }>("broadcaster")).windowReads.active === 0,
        10_000,
      );
      // Long enough for the bystander to have ticks to time.
      await sleep(1_000);
      return {};
    });
  }, 30_000);

  it(`bounds /api/ticks: one address gets 429 past its share, and ${SCALE.stalledReaders} readers that read nothing are cut off without pinning memory`, async () => {
    const historyUrl = `http://127.0.0.1:${stack.history.port}`;
    const rssBefore = rssBytes(stack.history.pid!);
    await underAttack("/api/ticks flood", async () => {
      const statuses = await Promise.all(
        Array.from({ length: SCALE.floodClients }, () =>
          fetch(`${historyUrl}/api/ticks?since=24h&limit=100000`, fromAddress(ATTACKER)).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      const stalled = Array.from({ length: SCALE.stalledReaders }, (_, i) =>
        stalledRequest(stack.history.port, "/api/ticks?since=24h&limit=100000", `203.0.113.${(i % 250) + 1}`),
      );
      await sleep(1_000);
      const rssDuring = rssBytes(stack.history.pid!);
      await waitFor(
        "the stalled reads cut off",
        async () => (await health<{ windowReads: { active: number; queued: number } }>("history")).windowReads.active === 0,
        60_000,
      );
      stalled.forEach((socket) => socket.destroy());
      return {
        served: statuses.filter((s) => s === 200).length,
        refused429: statuses.filter((s) => s === 429).length,
        historyRssGrowthMB: Math.round((rssDuring - rssBefore) / 2 ** 20),
      };
    });
    const jsm = await jetstreamManager(await stack.connectAs("viewer"));
    await waitFor(
      "only history's durable consumer, its candle fold and the broadcaster's feed left on PRICES",
      async () => (await jsm.consumers.list(PRICES_STREAM).next()).length <= 3,
      30_000,
    );
    expect(await stack.history.healthy()).toBe(true);
  }, 180_000);

  it(`holds the per-address limit through the proxy: ${SCALE.spoofed} connections with forged X-Forwarded-For from one client`, async () => {
    const dist = await mkdtemp(join(tmpdir(), "cryptostream-ui-"));
    await writeFile(join(dist, "index.html"), "<!doctype html><title>CryptoStream</title>");
    const ui = await serveUi(dist, { broadcasterPort: stack.broadcaster.port, historyPort: stack.history.port });
    try {
      const through = `${ui.url.replace(/^http/, "ws").replace(/\/$/, "")}/ws`;
      const attempts = await Promise.all(
        Array.from({ length: SCALE.spoofed }, (_, i) =>
          WsTestClient.open(through, fromAddress(`10.9.${i >> 8}.${i & 255}`)).then(
            (client) => ({ client, refused: false }),
            () => ({ client: undefined, refused: true }),
          ),
        ),
      );
      const accepted = attempts.filter((a) => !a.refused);
      figures["forged X-Forwarded-For"] = { ...bystander.phase(), accepted: accepted.length, refused: attempts.length - accepted.length };
      // The per-address limit is 50 by default: the forged entries do not give the client more.
      expect(accepted.length).toBe(50);
      await Promise.all(accepted.map((a) => a.client!.close()));
    } finally {
      await ui.close();
      await rm(dist, { recursive: true, force: true });
    }
  }, 60_000);

  describe("each NATS user trying what it must not", () => {
    const violationsAfter = async (user: NatsUser, attempt: (nc: NatsConnection) => Promise<unknown>) => {
      const before = stack.nats.output().length;
      const nc = await stack.connectAs(user);
      try {
        await attempt(nc).catch(() => undefined);
        await nc.flush().catch(() => undefined);
        await sleep(100);
      } finally {
        await nc.close().catch(() => undefined);
      }
      return (
        stack.nats
          .output()
          .slice(before)
          .match(/Violation/g) ?? []
      ).length;
    };
    const request =
      (subject: string, body: unknown = {}) =>
      (nc: NatsConnection) =>
        nc.request(subject, JSON.stringify(body), { timeout: 1_000 });

    it.each<[NatsUser, string, (nc: NatsConnection) => Promise<unknown>]>([
      ["viewer", "delete history's durable consumer", request("$JS.CRYPTOSTREAM.API.CONSUMER.DELETE.PRICES.history")],
      [
        "viewer",
        "create a consumer on the services' PRICES",
        request("$JS.CRYPTOSTREAM.API.CONSUMER.CREATE.PRICES.evil", { stream_name: "PRICES", config: { durable_name: "evil", ack_policy: "none" } }),
      ],
      ["viewer", "pull from history's durable consumer", request("$JS.CRYPTOSTREAM.API.CONSUMER.MSG.NEXT.PRICES.history", { batch: 1 })],
      ["viewer", "answer flow control", async (nc) => nc.publish("$JS.FC.PRICES.history.x")],
      ["viewer", "read history's replies", async (nc) => nc.subscribe("_INBOX_history.>")],
      ["viewer", "change PRICES", request("$JS.API.STREAM.UPDATE.PRICES", { name: "PRICES", subjects: ["prices.>"], max_msgs_per_subject: 1 })],
      ["broadcaster", "change PRICES", request("$JS.API.STREAM.UPDATE.PRICES", { name: "PRICES", subjects: ["prices.>"], sealed: true })],
      ["broadcaster", "delete history's durable consumer", request("$JS.API.CONSUMER.DELETE.PRICES.history")],
      ["broadcaster", "read the viewer's replies", async (nc) => nc.subscribe("_INBOX.>")],
      ["history", "change PRICES", request("$JS.API.STREAM.UPDATE.PRICES", { name: "PRICES", subjects: ["prices.>"], max_msgs_per_subject: 1 })],
      ["history", "read the broadcaster's replies", async (nc) => nc.subscribe("_INBOX_broadcaster.>")],
      ["replay", "delete history's durable consumer", request("$JS.API.CONSUMER.DELETE.PRICES.history")],
      ["ingest", "read other users' replies", async (nc) => nc.subscribe("_INBOX.>")],
      ["ingest", "seal PRICES", request("$JS.API.STREAM.UPDATE.PRICES", { name: "PRICES", subjects: ["prices.>"], sealed: true })],
      ["ingest", "shrink PRICES", request("$JS.API.STREAM.UPDATE.PRICES", { name: "PRICES", subjects: ["prices.>"], max_msgs_per_subject: 1 })],
      ["ingest", "delete TICKS", request("$JS.API.STREAM.DELETE.TICKS")],
      ["ingest", "create a stream", request("$JS.API.STREAM.CREATE.EVIL", { name: "EVIL", subjects: ["evil.>"] })],
      ["history", "create a stream", request("$JS.API.STREAM.CREATE.EVIL", { name: "EVIL", subjects: ["evil.>"] })],
      ["history", "delete CANDLES", request("$JS.API.STREAM.DELETE.CANDLES")],
      ["broadcaster", "create a stream", request("$JS.API.STREAM.CREATE.EVIL", { name: "EVIL", subjects: ["evil.>"] })],
    ])("%s may not %s", async (user, _what, attempt) => {
      expect(await violationsAfter(user, attempt)).toBeGreaterThan(0);
      // The services' PRICES and durable consumer (the viewer sees only its account's mirror).
      const jsm = await jetstreamManager(await stack.connectAs("operator"));
      const info = await jsm.streams.info(PRICES_STREAM);
      expect(info.config).toMatchObject({ sealed: false, max_msgs_per_subject: 100_000 });
      expect((await jsm.consumers.info(PRICES_STREAM, "history")).name).toBe("history");
    });

    it("lets the viewer make an ephemeral consumer, which is gone once it stops reading", async () => {
      const nc = await stack.connectAs("viewer");
      const jsm = await jetstreamManager(nc);
      const inbox = `_INBOX.viewer-${Date.now()}`;
      const subscription = nc.subscribe(inbox);
      const info = await jsm.consumers.add(PRICES_STREAM, {
        deliver_subject: inbox,
        ack_policy: "none" as never,
        inactive_threshold: 1_000_000_000,
        deliver_policy: "new" as never,
      });
      subscription.unsubscribe();
      await waitFor("the ephemeral consumer gone", async () => !(await jsm.consumers.info(PRICES_STREAM, info.name).catch(() => undefined)), 10_000);
      await nc.close();
    });
  });
});

/** A request whose answer is never read, from a client behind the proxy at `address`. */
function stalledRequest(port: number, path: string, address: string) {
  const socket = tcpConnect({ port, host: "127.0.0.1" });
  socket.pause();
  socket.on("error", () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nx-forwarded-for: ${address}\r\n\r\n`);
  return socket;
}
