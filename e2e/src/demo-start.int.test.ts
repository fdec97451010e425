import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildUi, freePort, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "./processes";

/** A log line that is a warning or worse: pino-pretty's levels, nats-server's. */
const WARNING = /\b(WARN|ERROR|FATAL):|\[(WRN|ERR|FTL)\]/;

describe("make demo's start", () => {
  let nats: NatsServerHandle;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cryptostream-demo-"));
    await buildUi(join(repositoryRoot, "ui/dist"));
    // The passwords the script will use, and nats-server with their hashes, as nats.conf would run it (on a free port).
    const passwords = join(repositoryRoot, ".data/nats-passwords.env");
    await mkdir(join(repositoryRoot, ".data"), { recursive: true });
    execFileSync(process.execPath, [join(repositoryRoot, "scripts/nats-passwords.mjs"), passwords]);
    const hashes = Object.fromEntries(
      [...(await readFile(passwords, "utf8")).matchAll(/^export (\w+_NATS_PASSWORD_HASH)='([^']+)'$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    nats = await startNatsServer({ include: [join(repositoryRoot, "nats-users.conf")], env: hashes });
  }, 180_000);
  afterAll(async () => {
    await nats?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("reaches ready with no warning or error from any process, each log entry on one line", async () => {
    const ports = {
      UI_PORT: await freePort(),
      BROADCASTER_PORT: await freePort(),
      HISTORY_PORT: await freePort(),
      INGEST_PORT: await freePort(),
      SIM_PORT: await freePort(),
    };
    const child = spawn("bash", ["scripts/run-stack.sh", "demo"], {
      cwd: repositoryRoot,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        NATS_URL: nats.url,
        SIM_STATE_FILE: join(dir, "market.json"),
        SIM_SEED: "7",
      },
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await waitFor("CryptoStream is ready", () => output.includes("CryptoStream is ready"), 150_000);
      // A few seconds of running too: the first polls, the backfill, the first candles.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    } finally {
      process.kill(-child.pid!, "SIGINT");
      await exited;
    }
    const warnings = output.split("\n").filter((line) => WARNING.test(line));
    expect(warnings).toEqual([]);
    // Every line of a service is one entry: its prefix, then its time.
    const serviceLines = output.split("\n").filter((line) => /^\[(ingest|broadcaster|history|sim)\s*\]/.test(line));
    expect(serviceLines.length).toBeGreaterThan(10);
    expect(serviceLines.filter((line) => !/^\[\w+\s*\]\s+\[\d\d:\d\d:\d\d\.\d{3}\]/.test(line))).toEqual([]);
    expect(nats.output()).not.toMatch(/Plaintext passwords/);
  }, 240_000);
});
