import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Starts a service's real entry point (or another of the package's) with only these variables. */
export function spawnService(service: string, env: Record<string, string>, entry = "src/main.ts"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: `${repositoryRoot}/${service}`,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs a service until it exits. */
export function runUntilExit(service: string, env: Record<string, string>, entry?: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnService(service, env, entry);
    child.stdout!.resume();
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}
