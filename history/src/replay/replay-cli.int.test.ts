import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensurePricesStream, tickMsgId, type NatsConnection, type SequencedTick, type Tick } from "@cryptostream/core";
import { startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const historyDir = fileURLToPath(new URL("../..", import.meta.url));

describe("pnpm replay", () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const published: SequencedTick[] = [];

  const replay = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/replay/replay-cli.ts", ...args], {
        cwd: historyDir,
        env: { PATH: process.env.PATH ?? "", NATS_URL: server.url },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    await ensurePricesStream(nc, { maxAgeMs: 86_400_000, maxPerSubject: 100_000, duplicateWindowMs: 120_000 });
    const js = jetstream(nc);
    for (let i = 0; i < 20; i++) {
      const tick: Tick = { symbol: i % 2 ? "eth" : "btc", price: 100 + i, ts: 1_763_800_000_000 + i * 10, source: "binance" };
      const ack = await js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
      published.push({ ...tick, seq: ack.seq });
    }
  });
  afterAll(async () => {
    await nc?.close();
    await server?.cleanup();
  });

  it("prints the window's ticks as JSON lines", async () => {
    const { code, stdout, stderr } = await replay("--since", "1h", "--symbols", "btc");
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(published.filter((t) => t.symbol === "btc"));
    expect(stderr).toContain("10 ticks printed");
  });

  it("republishes the window in order under another subject prefix", async () => {
    const received: { subject: string; tick: SequencedTick }[] = [];
    const subscription = nc.subscribe("replay.prices.>", {
      callback: (_, message) => void received.push({ subject: message.subject, tick: message.json<SequencedTick>() }),
    });
    await nc.flush();
    const { code } = await replay("--since", "1h", "--to", "replay.prices", "--speed", "100");
    expect(code).toBe(0);
    await waitFor("every republished tick", () => received.length === published.length);
    expect(received.map((r) => r.tick)).toEqual(published);
    expect(received.map((r) => r.subject)).toEqual(published.map((t) => `replay.prices.${t.symbol}`));
    subscription.unsubscribe();
  });

  it.each([
    [["--to", "prices"], "would republish into the live PRICES stream"],
    [["--since", "yesterday"], '--since "yesterday" is not a time'],
    [["--speed", "0", "--to", "replay"], '--speed "0" is not a positive number'],
    [["--symbols", "BTC"], '"BTC" is not a symbol'],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
  ])("refuses %j with exit 2 and a reason", async (args, message) => {
    const { code, stderr } = await replay(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
