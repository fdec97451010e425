import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
const passwords = Object.fromEntries(
  ["INGEST", "BROADCASTER", "HISTORY", "VIEWER", "REPLAY", "OPERATOR"].flatMap((user) => [
    [`${user}_NATS_PASSWORD`, `p${user.toLowerCase()}`],
    [`${user}_NATS_PASSWORD_HASH`, `$2a$11$hash.of.${user.toLowerCase()}`],
  ]),
);
const compose = (...args: string[]) => run("docker-compose", ["-f", "docker-compose.yml", ...args], { cwd: root, env: { ...process.env, ...passwords } });

describe("docker-compose.yml", () => {
  it.each([[[]], [["--profile", "demo"]], [["-f", "docker-compose.cluster.yml"]]])("validates with docker-compose config with %j", async (profile) => {
    await expect(compose(...profile, "config", "-q")).resolves.toBeDefined();
  });

  it("runs three NATS servers in one JetStream cluster with the stream and buckets on all three in the cluster profile", async () => {
    const { stdout } = await compose("-f", "docker-compose.cluster.yml", "config");
    for (const node of ["nats-1", "nats-2", "nats-3"]) expect(stdout).toContain(`- ${node}`);
    expect(stdout.match(/JETSTREAM_REPLICAS: '?3'?/g)).toHaveLength(4);
    expect(stdout.match(/- nats:\/\/nats:6222,nats:\/\/nats-2:6222,nats:\/\/nats-3:6222/g)).toHaveLength(3);
  });

  it("runs nats from the official image with nats.conf and every service", async () => {
    const { stdout } = await compose("config");
    expect(stdout).toMatch(/image: nats:2\.\d+/);
    expect(stdout).toContain("/etc/nats/nats.conf");
    const { stdout: services } = await compose("config", "--services");
    expect(services.trim().split("\n").sort()).toEqual(["broadcaster", "history", "ingest", "nats", "provision", "sim-exchange", "ui"]);
  });

  it("runs two broadcasters and two history instances behind the ui's proxy, in both profiles", async () => {
    for (const files of [[], ["-f", "docker-compose.cluster.yml"]]) {
      const { stdout } = await compose(...files, "config");
      // Each service's block of the resolved file: from its name, indented two spaces, to the next.
      const blocks = stdout.split(/\n {2}(?=[a-z0-9-]+:\n)/);
      for (const service of ["broadcaster", "history"]) {
        expect(blocks.find((block) => block.startsWith(`${service}:\n`))).toContain("    deploy:\n      replicas: 2\n");
      }
    }
  });

  it("refuses to start NATS without its users' passwords, and gives each service its own user", async () => {
    await expect(run("docker-compose", ["-f", "docker-compose.yml", "config", "-q"], { cwd: root, env: { PATH: process.env.PATH ?? "" } })).rejects.toThrow(
      /set the NATS passwords and their hashes in \.env/,
    );
    const { stdout } = await compose("config");
    for (const user of ["ingest", "broadcaster", "history"]) expect(stdout).toContain(`NATS_USER: ${user}`);
    expect(stdout).toContain(`NATS_PASSWORD: p${"ingest"}`);
    // nats-server gets the hashes alone (docker-compose config prints a $ as $$).
    const nats = stdout.split(/\n {2}(?=[a-z0-9-]+:\n)/).find((block) => block.startsWith("nats:\n"))!;
    expect(nats).toContain("INGEST_NATS_PASSWORD_HASH: $$2a$$11$$hash.of.ingest");
    expect(nats).not.toMatch(/INGEST_NATS_PASSWORD: /);
  });

  it("provisions the streams and buckets as the operator before any service starts, in both profiles", async () => {
    for (const files of [[], ["-f", "docker-compose.cluster.yml"]]) {
      const { stdout } = await compose(...files, "config");
      const blocks = stdout.split(/\n {2}(?=[a-z0-9-]+:\n)/);
      const provision = blocks.find((block) => block.startsWith("provision:\n"))!;
      expect(provision).toContain("NATS_USER: operator");
      expect(provision).toContain("provision-main.ts");
      for (const service of ["ingest", "broadcaster", "history"]) {
        expect(blocks.find((block) => block.startsWith(`${service}:\n`))).toMatch(/provision:\n\s+condition: service_completed_successfully/);
      }
    }
  });
});
