import { describe, expect, it } from "vitest";
import { formatSoakReport, runSoak } from "./reliability/run-soak";

describe("soak", () => {
  it("reads the memory and descriptors of every process over a short run under load, and checks nothing was lost", async () => {
    const report = await runSoak({ seconds: 15, sampleEverySeconds: 1.5, warmupSeconds: 10, clients: 20 });
    expect(Object.keys(report.samples).sort()).toEqual(["broadcaster-1", "broadcaster-2", "history-1", "history-2", "ingest-1", "ingest-2", "nats-server"]);
    for (const samples of Object.values(report.samples)) {
      expect(samples.length).toBeGreaterThanOrEqual(8);
      expect(samples.every((s) => s.rssBytes > 1024 * 1024 && s.fds > 3)).toBe(true);
    }
    expect(report.ok, formatSoakReport(report)).toBe(true);
    // Most of it is starting seven processes and the history writer's backfill, before the 25 s of load.
  }, 180_000);
});
