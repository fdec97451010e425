import { describe, expect, it } from "vitest";
import { runUntilExit } from "./processes";

describe("a service started with a bad variable", () => {
  it.each([
    ["ingest", { INGEST_PORT: "eighty" }, "INGEST_PORT"],
    ["ingest", { BINANCE_WS_URL: "not a url" }, "BINANCE_WS_URL"],
    ["broadcaster", { BROADCASTER_PORT: "70000" }, "BROADCASTER_PORT"],
    ["history", { PRICES_MAX_AGE: "forever" }, "PRICES_MAX_AGE"],
    ["sim-exchange", { SIM_INTERVAL: "often" }, "SIM_INTERVAL"],
    // Well-formed but senseless: each once accepted, with harm (every client dropped, auth off, a stream emptied).
    ["broadcaster", { HEARTBEAT_INTERVAL: "0" }, "HEARTBEAT_INTERVAL"],
    ["broadcaster", { HEARTBEAT_INTERVAL: "25d" }, "HEARTBEAT_INTERVAL"],
    ["broadcaster", { AUTH_TOKEN: "" }, "AUTH_TOKEN"],
    ["broadcaster", { AUTH_TOKEN: " ".repeat(20) }, "AUTH_TOKEN"],
    ["broadcaster", { SEND_BUFFER_SOFT_LIMIT: "8388608" }, "SEND_BUFFER_SOFT_LIMIT"],
    ["broadcaster", { TRUST_PROXY: "everyone" }, "TRUST_PROXY"],
    ["broadcaster", { WINDOW_READS_MAX: "0" }, "WINDOW_READS_MAX"],
    ["history", { PRICES_MAX_AGE: "1s" }, "PRICES_MAX_AGE"],
    ["ingest", { COINGECKO_POLL_INTERVAL: "30d" }, "COINGECKO_POLL_INTERVAL"],
    ["ingest", { MAX_PRICE_JUMP: "1e9" }, "MAX_PRICE_JUMP"],
  ])("%s exits 1 with one line naming %j", async (service, env, variable) => {
    const { code, stderr } = await runUntilExit(service, env);
    expect(code).toBe(1);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${service}: invalid configuration: .*${variable}: `));
  });
});
