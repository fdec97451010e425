import { parseArgs } from "node:util";
import { parseDuration } from "@cryptostream/core";
import { DEFAULT_CHAOS_OPTIONS, formatChaosReport, runChaos } from "./run-chaos";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: `${DEFAULT_CHAOS_OPTIONS.seconds}s` },
    clients: { type: "string", default: String(DEFAULT_CHAOS_OPTIONS.clients) },
    seed: { type: "string", default: String(DEFAULT_CHAOS_OPTIONS.seed) },
    "event-interval": { type: "string", default: `${DEFAULT_CHAOS_OPTIONS.eventIntervalMs}ms` },
    targets: { type: "string", default: "" },
  },
});
const positive = (name: string, value: number | undefined) => {
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    console.error(`chaos: --${name} must be a positive number or duration`);
    process.exit(2);
  }
  return value;
};

/** `--duration 90` is seconds; `90s`, `5m` and the like as written. */
const durationMs = /^\d+$/.test(values.duration) ? Number(values.duration) * 1_000 : parseDuration(values.duration);
const report = await runChaos({
  seconds: positive("duration", durationMs) / 1_000,
  clients: positive("clients", Number(values.clients)),
  seed: positive("seed", Number(values.seed)),
  eventIntervalMs: positive("event-interval", parseDuration(values["event-interval"])),
  targets: values.targets.split(",").filter(Boolean),
  log: (line) => console.log(line),
});
console.log(`\n${formatChaosReport(report)}`);
process.exit(report.ok ? 0 : 1);
