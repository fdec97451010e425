import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, natsUserHashes, waitFor } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryRoot } from "./processes";

const run = promisify(execFile);
const USERS = ["ingest", "broadcaster", "history", "viewer", "replay", "operator"];
const hashes = natsUserHashes(Object.fromEntries(USERS.map((user) => [user, `p${user}`])));
const NANOS_PER_SECOND = 1_000_000_000;

interface JetStreamVarz {
  jetstream: { config: { sync_interval?: number; sync_always?: boolean } };
}

/** The shipped nats.conf on free ports with a store of its own: what `make demo` and compose run. */
async function startShippedConfig(dir: string, syncInterval: string): Promise<{ varz: () => Promise<JetStreamVarz>; stop: () => void }> {
  const [port, monitor] = [await freePort(), await freePort()];
  const args = ["-c", "nats.conf", "-a", "127.0.0.1", "-p", String(port), "-m", String(monitor), "-sd", join(dir, syncInterval)];
  const child = spawn("nats-server", args, { cwd: repositoryRoot, env: { ...process.env, ...hashes, NATS_SYNC_INTERVAL: syncInterval }, stdio: "ignore" });
  const varz = async () => (await (await fetch(`http://127.0.0.1:${monitor}/varz`)).json()) as JetStreamVarz;
  await waitFor(`nats.conf serving with NATS_SYNC_INTERVAL=${syncInterval}`, () => varz().catch(() => undefined), 10_000);
  return { varz, stop: () => child.kill("SIGKILL") };
}

describe("nats.conf's fsync interval", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cryptostream-nats-conf-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["1s", { sync_interval: NANOS_PER_SECOND }],
    ["always", { sync_always: true }],
  ])("runs with NATS_SYNC_INTERVAL=%s", async (syncInterval, expected) => {
    const server = await startShippedConfig(dir, syncInterval);
    try {
      expect((await server.varz()).jetstream.config).toMatchObject(expected);
    } finally {
      server.stop();
    }
  });

  it("is refused by make demo's start when nats-server would misread it: 1m is the number 1,000,000 to nats-server", async () => {
    const failed = await run("bash", ["scripts/run-stack.sh", "demo"], { cwd: repositoryRoot, env: { ...process.env, NATS_SYNC_INTERVAL: "1m" } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('NATS_SYNC_INTERVAL="1m" is not an fsync interval: expected always') });
  });

  it("defaults to 1s in both compose profiles", async () => {
    for (const files of [[], ["-f", "docker-compose.cluster.yml"]]) {
      const env = { PATH: process.env.PATH ?? "", ...hashes };
      const { stdout } = await run("docker-compose", ["-f", "docker-compose.yml", ...files, "config"], { cwd: repositoryRoot, env });
      expect(stdout.match(/NATS_SYNC_INTERVAL: 1s/g)).toHaveLength(files.length === 0 ? 1 : 3);
    }
  });
});
