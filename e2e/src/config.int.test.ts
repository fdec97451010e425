import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function runService(service: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: `${root}/${service}`,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("a service started with a bad variable", () => {
  it.each([
    ["ingest", { INGEST_PORT: "eighty" }, "INGEST_PORT"],
    ["ingest", { BINANCE_WS_URL: "not a url" }, "BINANCE_WS_URL"],
    ["broadcaster", { BROADCASTER_PORT: "70000" }, "BROADCASTER_PORT"],
    ["history", { PRICES_MAX_AGE: "forever" }, "PRICES_MAX_AGE"],
    ["sim-exchange", { SIM_INTERVAL: "often" }, "SIM_INTERVAL"],
  ])("%s exits 1 with one line naming %j", async (service, env, variable) => {
    const { code, stderr } = await runService(service, env);
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${service}: invalid configuration: .*${variable}: `));
  });
});
