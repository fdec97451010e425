import { spawn, type ChildProcess } from "node:child_process";
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface NatsServerOptions {
  /** Extra nats-server configuration, appended verbatim. */
  extraConfig?: string;
  /** Extra settings inside the `jetstream` block, such as `sync_interval: always`. */
  jetstreamConfig?: string;
  /** nats-server binary; `NATS_SERVER_BIN` or `nats-server` on PATH by default. */
  binary?: string;
  /** Environment variables for the server, for `$VARIABLE` references in its configuration. */
  env?: Record<string, string>;
  /** Configuration files copied beside the server's own and included by it (nats-server includes relative paths only). */
  include?: string[];
}

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  port: number;
  storeDir: string;
  /** Process id of the running server, undefined while stopped. */
  readonly pid: number | undefined;
  /** Stops the server (SIGKILL when `hard`), keeping its store and port. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts a stopped server again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops the server and deletes its temporary directory. */
  cleanup(): Promise<void>;
  /** What the server has printed since it last started. */
  output(): string;
}

const START_TIMEOUT_MS = 10_000;

/**
 * Starts a real nats-server with JetStream on a free port and a temporary store,
 * in the spirit of nats.js's test support: `port: -1`, read the real port from the
 * ports file, wait for a TCP connect.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? "nats-server";
  const dir = await mkdtemp(join(tmpdir(), "cryptostream-nats-"));
  const storeDir = join(dir, "store");
  const configPath = join(dir, "nats.conf");
  const includes = options.include ?? [];
  for (const file of includes) await copyFile(file, join(dir, basename(file)));
  const writeConfig = (port: number) =>
    writeFile(
      configPath,
      [
        `listen: 127.0.0.1:${port}`,
        `ports_file_dir: ${JSON.stringify(dir)}`,
        `jetstream { store_dir: ${JSON.stringify(storeDir)}${options.jetstreamConfig ? `, ${options.jetstreamConfig}` : ""} }`,
        ...includes.map((file) => `include ${JSON.stringify(basename(file))}`),
        options.extraConfig ?? "",
      ].join("\n"),
    );

  let child: ChildProcess | undefined;
  let output = "";
  const launch = async (): Promise<number> => {
    output = "";
    const proc = spawn(binary, ["-c", configPath], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
    child = proc;
    proc.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const spawnError = new Promise<never>((_, reject) => {
      proc.once("error", (error) => reject(new Error(`cannot start ${binary}: ${error.message}. Install it with 'apt-get install nats-server'.`)));
      proc.once("exit", (code) => reject(new Error(`nats-server exited with ${code}:\n${output}`)));
    });
    spawnError.catch(() => undefined);
    return Promise.race([waitForPortsFile(dir, proc.pid!), spawnError]);
  };

  await writeConfig(-1);
  const port = await launch();
  await writeConfig(port);

  const stop = async ({ hard = false } = {}) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill(hard ? "SIGKILL" : "SIGTERM");
    await exited;
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child?.pid;
    },
    output: () => output,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async cleanup() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPortsFile(dir: string, pid: number): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const file = join(dir, `nats-server_${pid}.ports`);
  while (Date.now() < deadline) {
    const names = await readdir(dir);
    if (names.includes(`nats-server_${pid}.ports`)) {
      const ports = JSON.parse(await readFile(file, "utf8")) as { nats: string[] };
      const port = Number(new URL(ports.nats[0]!).port);
      if (await canConnect(port)) return port;
    }
    await sleep(20);
  }
  throw new Error(`nats-server did not start within ${START_TIMEOUT_MS} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
