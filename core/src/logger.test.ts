import { describe, expect, it } from "vitest";
import { withError } from "./logger";

describe("withError", () => {
  it("puts an error's text after the message, on one line", () => {
    expect(withError("failed", { type: "Error", message: "boom\n  at x", stack: "Error: boom\n  at x" })).toBe("failed: boom at x");
    expect(withError("binance connection error", "connect ECONNREFUSED 127.0.0.1:9100")).toBe("binance connection error: connect ECONNREFUSED 127.0.0.1:9100");
  });

  it("spells out an AggregateError without a message by its errors, and leaves a message without an error alone", () => {
    const refused = new AggregateError([new Error("connect ECONNREFUSED ::1:9100"), new Error("connect ECONNREFUSED 127.0.0.1:9100")]);
    expect(withError("coingecko request failed", refused)).toBe("coingecko request failed: connect ECONNREFUSED ::1:9100; connect ECONNREFUSED 127.0.0.1:9100");
    expect(withError("ingest started", undefined)).toBe("ingest started");
    expect(withError("ingest started", "")).toBe("ingest started");
  });
});
