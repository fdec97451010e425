import { describe, expect, it } from "vitest";
import { unsupportedServerReason } from "./nats";

describe("unsupportedServerReason", () => {
  it("accepts nats-server 2.10 and later, pre-releases included", () => {
    for (const version of ["2.10.0", "2.10.27", "2.11.0-RC.1", "2.12.1", "3.0.0"]) expect(unsupportedServerReason(version)).toBeUndefined();
  });

  it("says why an older server or one without a version cannot serve", () => {
    expect(unsupportedServerReason("2.9.10")).toBe("nats-server 2.9.10 is older than 2.10, the oldest CryptoStream runs on (docs/running.md#nats-server)");
    expect(unsupportedServerReason("1.4.1")).toContain("older than 2.10");
    expect(unsupportedServerReason(undefined)).toBe('nats-server reported no version ("")');
    expect(unsupportedServerReason("unknown")).toBe('nats-server reported no version ("unknown")');
  });
});
