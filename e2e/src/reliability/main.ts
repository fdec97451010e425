import { parseArgs } from "node:util";
import { parseDuration } from "@cryptostream/core";
import { DEFAULT_LOAD_OPTIONS } from "./process-stack";
import { DEFAULT_CHAOS_OPTIONS, formatChaosReport, runChaos } from "./run-chaos";
import { DEFAULT_SOAK_OPTIONS, formatSoakReport, runSoak } from "./run-soak";

const USAGE = `usage: reliability chaos|soak [--duration 2m] [--clients 200] [--seed N] [--event-interval 100ms]
  chaos: [--targets nats-server,ingest-1,ingest-2,broadcaster-1,broadcaster-2,history]
  soak:  [--sample-every 10s]`;

const [command, ...rest] = process.argv.slice(2);
if (command !== "chaos" && command !== "soak") {
  console.error(USAGE);
  process.exit(2);
}
const defaults = command === "chaos" ? DEFAULT_CHAOS_OPTIONS : DEFAULT_SOAK_OPTIONS;
const { values } = parseArgs({
  args: rest,
  options: {
    duration: { type: "string", default: `${defaults.seconds}s` },
    clients: { type: "string", default: String(DEFAULT_LOAD_OPTIONS.clients) },
    seed: { type: "string", default: String(DEFAULT_LOAD_OPTIONS.seed) },
    "event-interval": { type: "string", default: `${DEFAULT_LOAD_OPTIONS.eventIntervalMs}ms` },
    targets: { type: "string", default: "" },
    "sample-every": { type: "string", default: `${DEFAULT_SOAK_OPTIONS.sampleEverySeconds}s` },
  },
});

/** A positive number, or a duration in ms (a bare `90` is seconds; `90s`, `5m`, `100ms` as written). */
function positive(name: string, text: string, kind: "number" | "duration"): number {
  const value = kind === "number" ? Number(text) : /^\d+$/.test(text) ? Number(text) * 1_000 : parseDuration(text);
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    console.error(`${command}: --${name} "${text}" is not a positive ${kind === "number" ? "number" : "duration such as 90s or 10m"}\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const load = {
  clients: positive("clients", values.clients, "number"),
  seed: positive("seed", values.seed, "number"),
  eventIntervalMs: positive("event-interval", values["event-interval"], "duration"),
  log: (line: string) => console.log(line),
};
const seconds = positive("duration", values.duration, "duration") / 1_000;
if (command === "chaos") {
  const report = await runChaos({ ...load, seconds, targets: values.targets.split(",").filter(Boolean) });
  console.log(`\n${formatChaosReport(report)}`);
  process.exit(report.ok ? 0 : 1);
} else {
  const report = await runSoak({ ...load, seconds, sampleEverySeconds: positive("sample-every", values["sample-every"], "duration") / 1_000 });
  console.log(`\n${formatSoakReport(report)}`);
  process.exit(report.ok ? 0 : 1);
}
