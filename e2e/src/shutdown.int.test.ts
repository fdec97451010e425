import type { ChildProcess } from "node:child_process";
import { WsTestClient, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnService } from "./processes";

/** Starts a service on a free port and resolves with the port it logged. */
function startService(service: string, env: Record<string, string>): { child: ChildProcess; port: Promise<number> } {
  const child = spawnService(service, { LOG_LEVEL: "info", LOG_FORMAT: "json", ...env });
  child.stderr!.pipe(process.stderr);
  const port = new Promise<number>((resolve) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"port":(\d+)/.exec(buffered);
      if (match) resolve(Number(match[1]));
    });
  });
  return { child, port };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

describe("a service on SIGTERM", () => {
  let nats: NatsServerHandle;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(() => nats?.cleanup());

  it.each([
    ["broadcaster", "BROADCASTER_PORT"],
    ["history", "HISTORY_PORT"],
    ["ingest", "INGEST_PORT"],
  ])(
    "%s stops taking work, closes cleanly and exits 0 within 10 s",
    async (service, portVariable) => {
      const started = startService(service, { NATS_URL: nats.url, [portVariable]: "0", SOURCES: "coingecko", COINGECKO_API_URL: "http://127.0.0.1:9/api/v3" });
      const child = started.child;
      const exit = exited(child);
      const port = await started.port;
      await waitFor(`${service} to answer /healthz`, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 20_000);
      const client = service === "broadcaster" ? await WsTestClient.open(`ws://127.0.0.1:${port}/ws`) : undefined;

      const signalledAt = Date.now();
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      if (client) {
        expect(await client.closed()).toBe(1001);
        expect(client.closeReason).toBe("going away");
      }
    },
    40_000,
  );
});
