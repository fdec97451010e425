import { describe, expect, it } from "vitest";
import { decodeReferenceStatus } from "./status";

const status = { symbol: "btc", dropped: [{ venue: "kraken", reason: "outlier" }], since: 1_763_800_000_000 };

describe("decodeReferenceStatus", () => {
  it("takes a status whose venues are left out as outliers or stale", () => {
    expect(decodeReferenceStatus(JSON.stringify(status))).toEqual({ ok: true, status });
    expect(decodeReferenceStatus(JSON.stringify({ ...status, dropped: [{ venue: "kraken", reason: "stale" }], withheld: "no_majority" })).ok).toBe(true);
  });

  it.each([
    ["a last-resort aggregator as left out", { dropped: [{ venue: "coingecko", reason: "last_resort" }] }],
    ["a malformed symbol", { symbol: "BTC" }],
    ["a malformed venue", { dropped: [{ venue: "Kraken!", reason: "outlier" }] }],
  ])("refuses %s", (_, change) => {
    expect(decodeReferenceStatus(JSON.stringify({ ...status, ...change })).ok).toBe(false);
  });
});
