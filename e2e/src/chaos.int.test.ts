import { describe, expect, it } from "vitest";
import { formatChaosReport, runChaos } from "./reliability/run-chaos";

/** The short form of `make chaos`: every process killed at least once, then every promise checked. */
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 35);

describe("chaos", () => {
  it(
    `loses and doubles nothing while processes are killed and restarted at random for ${SECONDS} s`,
    async () => {
      const report = await runChaos({ seconds: SECONDS, clients: 60 });
      const hit = new Set(report.faults.map((fault) => fault.target));
      expect([...hit].sort()).toEqual(["broadcaster-1", "broadcaster-2", "history-1", "history-2", "ingest-1", "ingest-2", "nats-server"]);
      expect(report.checks.stream.events).toBeGreaterThan(1_000);
      // Each restart of nats-server is followed by new reference prices (a follower that never came back failed this).
      const natsFaults = report.faults.filter((fault) => fault.target === "nats-server");
      expect(natsFaults.map((fault) => fault.pricesAgainMs)).not.toContain(undefined);
      expect(report.checks.clients.expected).toBeGreaterThan(10_000);
      expect(report.ok, formatChaosReport(report)).toBe(true);
    },
    SECONDS * 1_000 + 180_000,
  );
});
