import { connect as tcpConnect } from "node:net";
import { seededRandom } from "@cryptostream/sim-exchange";
import { WsTestClient, waitFor } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startStack, type Stack } from "./stack";

/** Seconds of fuzzing per suite: short in `make test`, longer on demand (FUZZ_SECONDS=300). */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 4);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

const VALID_FRAMES = [
  { type: "ping" },
  { type: "subscribe", symbols: ["btc"] },
  { type: "unsubscribe", symbols: ["eth"] },
  { type: "resume", seq: 1 },
  { type: "replay", since: "1m", symbols: ["sol"] },
];

/** Values at and just past every numeric limit a client message meets (times, seqs, counts). */
const EDGE_NUMBERS = [0, -0, -1, 1.5, 8.64e15, 8.64e15 + 1, -8.64e15, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -1e20, 1e300, Number.MAX_VALUE, 1e-300];
const EDGE_TIMES = ["9".repeat(23), "99999999999d", "1e9d", "0ms", "-5m", "275760-09-13T00:00:00.001Z", "1969-12-31T23:59:59Z", "9007199254740993"];

/** A frame that sits on a limit: a number or a time at or past its bound, or a symbol list at or past 1,000. */
function edgeFrame(random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  switch (Math.floor(random() * 4)) {
    case 0:
      return JSON.stringify({ type: "replay", since: pick(EDGE_NUMBERS) });
    case 1:
      return JSON.stringify({ type: "replay", since: pick(EDGE_TIMES), symbols: ["btc"] });
    case 2:
      return JSON.stringify({ type: "resume", seq: pick(EDGE_NUMBERS) });
    default:
      return JSON.stringify({ type: pick(["subscribe", "unsubscribe"]), symbols: Array.from({ length: pick([999, 1_000, 1_001]) }, () => "a") });
  }
}

/** A random frame: valid, mutated, junk, deep, oversize, or on a limit. */
function randomFrame(random: () => number): string | Buffer {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const junk = (length: number) => Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 0xffff))).join("");
  switch (Math.floor(random() * 9)) {
    case 8:
      return edgeFrame(random);
    case 0:
      return JSON.stringify(pick(VALID_FRAMES));
    case 1: {
      const text = JSON.stringify(pick(VALID_FRAMES));
      const at = Math.floor(random() * text.length);
      return text.slice(0, at) + junk(1 + Math.floor(random() * 4)) + text.slice(at + 1);
    }
    case 2:
      return junk(Math.floor(random() * 200));
    case 3:
      return JSON.stringify({
        type: pick(["subscribe", "replay", "resume", "x", 7, null]),
        symbols: pick([[], ["BTC"], "btc", [1, 2], null]),
        seq: pick([-1, 1e30, "1", null]),
        since: pick(["-5m", 0, {}, "9999999d"]),
      });
    case 4:
      return "[".repeat(1_000 + Math.floor(random() * 1_000));
    case 5:
      return "x".repeat(4_097 + Math.floor(random() * 10_000));
    case 6:
      return Buffer.from(junk(50));
    default:
      return JSON.stringify({ type: "subscribe", symbols: Array.from({ length: 200 }, () => junk(3)) });
  }
}

describe("hostile input", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ intervalMs: 100 });
  });
  afterAll(() => stack?.close());

  it(
    `leaves the broadcaster up and a normal client served on time through ${SECONDS} s of fuzzed WebSocket traffic`,
    async () => {
      const random = seededRandom(SEED);
      const url = `ws://127.0.0.1:${stack.broadcaster.port}/ws`;
      const bystander = await WsTestClient.open(url);
      const latencies: number[] = [];
      bystander.socket.on("message", (data) => {
        const message = JSON.parse(data.toString()) as { type: string; ticks?: { ts: number }[] };
        if (message.type === "ticks") for (const tick of message.ticks!) latencies.push(Date.now() - tick.ts);
      });

      const deadline = Date.now() + SECONDS * 1_000;
      let frames = 0;
      let connections = 0;
      while (Date.now() < deadline) {
        const mode = random();
        if (mode < 0.1) {
          // Half-open: a TCP connection that starts an upgrade and never finishes it.
          const socket = tcpConnect({ host: "127.0.0.1", port: stack.broadcaster.port });
          socket.write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
          setTimeout(() => socket.destroy(), 2_000);
          connections++;
          continue;
        }
        const socket = new WebSocket(url, { maxPayload: 1 << 20 });
        socket.on("error", () => undefined);
        connections++;
        await new Promise<void>((resolve) => {
          socket.once("open", () => {
            const burst = 1 + Math.floor(random() * (mode < 0.3 ? 200 : 10));
            for (let i = 0; i < burst; i++) {
              const frame = randomFrame(random);
              socket.send(frame);
              frames++;
            }
            if (mode < 0.5) socket.pause();
            setTimeout(() => {
              socket.terminate();
              resolve();
            }, 20);
          });
          socket.once("close", () => resolve());
          socket.once("error", () => resolve());
        });
      }

      expect(frames).toBeGreaterThan(100);
      const health = await (await fetch(`http://127.0.0.1:${stack.broadcaster.port}/healthz`)).json();
      expect(health).toMatchObject({ ok: true });
      expect(bystander.closeCode).toBeUndefined();
      await waitFor("the bystander to keep receiving", () => latencies.length > SECONDS * 5);
      const sorted = [...latencies].sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length * 0.99)]).toBeLessThan(1_000);
      console.info(`fuzz: ${frames} frames on ${connections} connections; bystander p99 ${sorted[Math.floor(sorted.length * 0.99)]} ms`);
      await bystander.close();
    },
    SECONDS * 1_000 + 30_000,
  );

  it(
    `answers ${SECONDS} s of fuzzed HTTP requests with clear errors and stays healthy`,
    async () => {
      const random = seededRandom(SEED + 1);
      const base = `http://127.0.0.1:${stack.history.port}`;
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
      const paths = [
        "/api/history/btc",
        "/api/history/",
        "/api/history/%ZZ",
        `/api/history/${"a".repeat(300)}`,
        "/api/ticks",
        "/api/symbols",
        "/healthz",
        "/metrics",
        "/../../etc/passwd",
        "/api/ticks/extra",
        "/",
      ];
      const queries = [
        "",
        "?since=5m",
        "?since=-1",
        "?limit=0",
        "?limit=1e9",
        "?symbols=,,",
        `?symbols=${"b".repeat(5_000)}`,
        "?since=2026-99-99",
        "?until=now",
        "?%ff=1",
        "?since=1m&since=2m",
        // At and past every numeric limit.
        "?limit=100000",
        "?limit=100001",
        "?limit=9007199254740993",
        `?since=${"9".repeat(23)}`,
        "?since=8640000000000000",
        "?since=8640000000000001",
        "?since=99999999999d",
        "?since=0&until=8640000000000001",
        "?since=275760-09-13T00:00:00.001Z",
        `?symbols=${Array.from({ length: 1_001 }, () => "a").join(",")}`,
      ];
      const deadline = Date.now() + SECONDS * 1_000;
      const statuses = new Map<number, number>();
      let requests = 0;
      while (Date.now() < deadline) {
        const method = pick(["GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"]);
        const headers: Record<string, string> = random() < 0.1 ? { "x-huge": "h".repeat(20_000) } : {};
        const target = `${base}${pick(paths)}${pick(queries)}`;
        const response = await fetch(target, { method, headers }).catch(() => undefined);
        requests++;
        if (!response) continue;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        await response.arrayBuffer();
        if (response.status >= 500) throw new Error(`HTTP ${response.status} for ${method} ${target}`);
        if (response.status >= 400 && method !== "HEAD") {
          expect(response.headers.get("content-type") ?? "", `${response.status} for ${method} ${target}`).toContain("json");
        }
      }
      expect(requests).toBeGreaterThan(50);
      expect([...statuses.keys()].some((status) => status >= 400)).toBe(true);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/api/history/btc`)).status).toBeLessThan(500);
      console.info(`fuzz: ${requests} HTTP requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    },
    SECONDS * 1_000 + 30_000,
  );
});
