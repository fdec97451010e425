import type { ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { waitFor } from "@cryptostream/testing";
import { spawnService } from "../processes";

export type Signal = "SIGKILL" | "SIGTERM";
/** A fault: a signal that ends the process, or SIGSTOP, which pauses it (and SIGCONT later). */
export type Fault = Signal | "SIGSTOP";

/** Something the chaos run can kill and start again, and perhaps pause. */
export interface Restartable {
  readonly name: string;
  kill(signal: Signal): Promise<void>;
  /** Starts it again and resolves once it serves. */
  start(): Promise<void>;
  /** Present when the chaos run may pause it: SIGSTOP, then SIGCONT and serving again. */
  pausable?: { pause(): void; resume(): void; healthy(): Promise<boolean> };
}

/** A service's real entry point run as a child process on a fixed port, its output appended to a log file. */
export class ServiceProcess implements Restartable {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  /** Exits nobody asked for. */
  unexpectedExits = 0;
  /** Stops that took longer than 12 s. */
  lateExits = 0;

  constructor(
    readonly name: string,
    private readonly service: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logFile: string,
    private readonly ready: () => Promise<boolean> = () => this.healthy(),
  ) {
    this.log = createWriteStream(logFile, { flags: "a" });
  }

  /** Process id while running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawnService(this.service, { LOG_FORMAT: "json", LOG_LEVEL: "info", ...this.env });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.once("exit", (code, signal) => {
      this.log.write(`--- ${this.name} exited: ${signal ?? code}\n`);
      if (this.child === child) {
        this.unexpectedExits++;
        this.child = undefined;
      }
    });
    await waitFor(`${this.name} to serve`, () => this.ready(), 30_000);
  }

  async kill(signal: Signal): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    // A SIGTERM not honoured within the services' own 10 s deadline is a failure of its own.
    const deadline = setTimeout(() => {
      this.lateExits++;
      child.kill("SIGKILL");
    }, 12_000);
    await exited;
    clearTimeout(deadline);
  }

  get pausable(): Restartable["pausable"] {
    return this.service === "history" ? this : undefined;
  }

  /** SIGSTOP: the process stays, doing nothing at all, until {@link resume}. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.port}/healthz`)).ok;
    } catch {
      return false;
    }
  }

  async health<T>(): Promise<T | undefined> {
    try {
      return (await (await fetch(`http://127.0.0.1:${this.port}/healthz`)).json()) as T;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.log.end();
  }
}
