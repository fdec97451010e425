import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** Runs a TypeScript file in its own Node process and resolves with its first stdout line, parsed as JSON. */
export function startTsProcess<T>(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  nodeOptions: string[] = [],
): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, [...nodeOptions, "--import", "tsx", file, ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}`)));
    // The first line that is not one of the services' own log lines (pino's, which carry a level) says it is ready.
    // (The interface stays open: it goes on draining stdout, so the child never blocks on a full pipe.)
    let ready = false;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (ready) return;
      const value = JSON.parse(line) as T & { level?: unknown };
      if (value.level !== undefined) return;
      ready = true;
      resolve({ child, ready: value });
    });
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One timed load against one server: what it answered and what it cost. */
export interface LoadRow {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  cpuUsPerRequest: number;
  /** The load generator's own CPU per request, where it shares the machine. */
  clientUsPerRequest?: number;
}

/** The medians of several runs of the same load (errors summed). */
export function summariseLoad(rows: readonly LoadRow[]) {
  return {
    rps: median(rows.map((r) => r.rps)),
    p50: median(rows.map((r) => r.p50)),
    p99: median(rows.map((r) => r.p99)),
    max: median(rows.map((r) => r.max)),
    errors: rows.reduce((sum, r) => sum + r.errors, 0),
    cpu: median(rows.map((r) => r.cpuUsPerRequest)),
    client: median(rows.map((r) => r.clientUsPerRequest ?? Number.NaN)),
  };
}
