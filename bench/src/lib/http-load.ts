import http from "node:http";

export interface OpenLoopResult {
  requests: number;
  errors: number;
  /** ms from each request's scheduled time to the last byte of its answer, ascending. */
  latencies: number[];
  bytes: number;
}

/**
 * A lean open-loop load: `rate` GETs a second for `seconds`, each sent at its scheduled time on
 * a keep-alive pool of `connections` (node:http, whose parser is native), the body counted and
 * dropped. Latency runs from the scheduled time, so a stalled server is not hidden by a client
 * that waited for it (no coordinated omission).
 */
export async function openLoopLoad(
  url: string,
  rate: number,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const result: OpenLoopResult = { requests: 0, errors: 0, latencies: [], bytes: 0 };
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const finished: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1_000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    finished.push(
      new Promise<void>((resolve) => {
        const request = http.get(url, { agent, headers }, (response) => {
          response.on("data", (chunk: Buffer) => {
            result.bytes += chunk.length;
          });
          response.on("end", () => {
            result.requests++;
            if (response.statusCode !== 200) result.errors++;
            result.latencies.push(performance.now() - due);
            resolve();
          });
        });
        request.on("error", () => {
          result.errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(finished);
  agent.destroy();
  result.latencies.sort((a, b) => a - b);
  return result;
}

export function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export interface ClosedLoopResult {
  requests: number;
  errors: number;
  /** ms per request, ascending. */
  latencies: number[];
  /** ms of this process's CPU spent while it ran: the load generator's own cost. */
  clientCpuMs: number;
}

/**
 * A closed-loop load: `connections` keep-alive clients, spread over `urls` in turn, each sending its
 * next GET as soon as its last answer ended, for `seconds`. It finds how many requests a second the
 * servers answer at most (an open-loop load finds the latency at a set rate instead).
 */
export async function closedLoopLoad(urls: readonly string[], connections: number, seconds: number): Promise<ClosedLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const result: ClosedLoopResult = { requests: 0, errors: 0, latencies: [], clientCpuMs: 0 };
  const until = performance.now() + seconds * 1_000;
  const cpu = process.cpuUsage();
  const get = (url: string) =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      const request = http.get(url, { agent }, (response) => {
        response.resume();
        response.on("end", () => {
          result.requests++;
          if (response.statusCode !== 200) result.errors++;
          result.latencies.push(performance.now() - sent);
          resolve();
        });
      });
      request.on("error", () => {
        result.errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      while (performance.now() < until) await get(urls[i % urls.length]!);
    }),
  );
  const used = process.cpuUsage(cpu);
  result.clientCpuMs = (used.user + used.system) / 1_000;
  agent.destroy();
  result.latencies.sort((a, b) => a - b);
  return result;
}
