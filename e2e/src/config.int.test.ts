import { describe, expect, it } from "vitest";
import { runUntilExit } from "./processes";

describe("a service started with a bad variable", () => {
  it.each([
    ["ingest", { INGEST_PORT: "eighty" }, "INGEST_PORT"],
    ["ingest", { BINANCE_WS_URL: "not a url" }, "BINANCE_WS_URL"],
    ["broadcaster", { BROADCASTER_PORT: "70000" }, "BROADCASTER_PORT"],
    ["history", { PRICES_MAX_AGE: "forever" }, "PRICES_MAX_AGE"],
    ["sim-exchange", { SIM_INTERVAL: "often" }, "SIM_INTERVAL"],
  ])("%s exits 1 with one line naming %j", async (service, env, variable) => {
    const { code, stderr } = await runUntilExit(service, env);
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${service}: invalid configuration: .*${variable}: `));
  });
});
