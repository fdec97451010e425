import { describe, expect, it } from "vitest";
import { pollingProbe, websocketProbe } from "./source-reports";

const t0 = 1_763_800_000_000;

describe("websocketProbe", () => {
  const feed = (connected: boolean, lastMessageAt?: number) => ({ status: () => ({ connected, lastMessageAt, connects: 1, errors: 0 }) });

  it("is undecided at start, up while a connection is heard from, then silent or disconnected", () => {
    expect(websocketProbe("binance", [feed(false)], 30_000, t0).check(t0 + 1_000)).toBeUndefined();
    expect(websocketProbe("binance", [feed(false)], 30_000, t0).check(t0 + 30_001)).toEqual({ state: "down", reason: "disconnected" });
    const probe = websocketProbe("binance", [feed(false, t0), feed(true, t0 + 5_000)], 30_000, t0);
    expect(probe.check(t0 + 35_000)).toEqual({ state: "up" });
    expect(probe.check(t0 + 35_001)).toEqual({ state: "down", reason: "silent" });
    expect(websocketProbe("binance", [feed(false, t0 + 5_000)], 30_000, t0).check(t0 + 6_000)).toEqual({ state: "down", reason: "disconnected" });
  });
});

describe("pollingProbe", () => {
  const poller = (lastSuccessAt?: number) => ({ status: () => ({ lastSuccessAt, errors: 0, rateLimited: 0 }) });

  it("is undecided until a first poll had its time, up while one succeeded within two intervals and a timeout, then failing", () => {
    expect(pollingProbe("coingecko", [poller()], 30_000, 15_000, t0).check(t0 + 44_999)).toBeUndefined();
    expect(pollingProbe("coingecko", [poller()], 30_000, 15_000, t0).check(t0 + 45_000)).toEqual({ state: "down", reason: "failing" });
    const probe = pollingProbe("coingecko", [poller(t0 + 10_000)], 30_000, 15_000, t0);
    expect(probe.check(t0 + 85_000)).toEqual({ state: "up" });
    expect(probe.check(t0 + 85_001)).toEqual({ state: "down", reason: "failing" });
  });
});
