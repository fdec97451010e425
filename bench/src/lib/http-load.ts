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
