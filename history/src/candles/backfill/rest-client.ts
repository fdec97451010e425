import { backoffDelay, httpStatusReason, sleep, type Clock, type UpstreamErrorReason } from "@cryptostream/core";

export class UpstreamRequestError extends Error {
  constructor(
    readonly reason: UpstreamErrorReason,
    message: string,
    /** The venue's own error body, when it sent one. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface RestClientOptions {
  clock: Clock;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Least time between two requests: a keyless API's rate limit. */
  spacingMs?: number;
  /** Waited when a 429 or 418 comes without `Retry-After`. */
  defaultRetryAfterMs?: number;
  /** Attempts on a timeout, network error or 5xx before giving up. */
  attempts?: number;
  onError?: (reason: UpstreamErrorReason) => void;
  /** Sees every answer's headers (a venue's used weight). */
  onHeaders?: (headers: Headers) => void;
  /** Checked before each attempt: a stopping service asks no more. */
  stopped?: () => boolean;
}

/**
 * GETs JSON from an exchange as its documentation asks: one request at a time, spaced; a 429 or
 * 418 (Binance's ban, counted as `http_429`) waits the `Retry-After` it names, never retrying
 * before it; a timeout, network error or 5xx
 * is retried with backoff a few times; any other status is an error at once.
 */
export class RestClient {
  private queue: Promise<unknown> = Promise.resolve();
  private nextAt = 0;

  constructor(private readonly options: RestClientOptions) {}

  getJson(url: string): Promise<unknown> {
    const result = this.queue.then(() => this.attempt(url));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Waits until `time` (ms since epoch) before the next request: a venue's own budget ran low. */
  holdUntil(time: number): void {
    this.nextAt = Math.max(this.nextAt, time);
  }

  private async attempt(url: string): Promise<unknown> {
    const { clock, attempts = 4 } = this.options;
    for (let attempt = 0; ; attempt++) {
      const wait = this.nextAt - clock.now();
      if (wait > 0) await sleep(clock, wait);
      if (this.options.stopped?.()) throw new UpstreamRequestError("closed", `${url}: not asked, stopping`);
      this.nextAt = clock.now() + (this.options.spacingMs ?? 0);
      try {
        return await this.request(url);
      } catch (error) {
        if (!(error instanceof UpstreamRequestError)) throw error;
        this.options.onError?.(error.reason);
        if (error.reason === "http_429") continue;
        if (error.reason === "http_4xx" || error.reason === "closed" || attempt + 1 >= attempts) throw error;
        await sleep(clock, backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 }));
      }
    }
  }

  private async request(url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { headers: this.options.headers ?? {}, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError" ? "timeout" : "network";
      throw new UpstreamRequestError(reason, `${url}: ${(error as Error).message}`);
    }
    this.options.onHeaders?.(response.headers);
    const body = await response.json().catch(() => undefined);
    if (response.ok) return body;
    if (response.status === 429 || response.status === 418) {
      const seconds = Number(response.headers.get("retry-after"));
      this.holdUntil(this.options.clock.now() + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : (this.options.defaultRetryAfterMs ?? 60_000)));
      throw new UpstreamRequestError("http_429", `${url}: ${response.status}`, body);
    }
    throw new UpstreamRequestError(httpStatusReason(response.status), `${url}: ${response.status} ${JSON.stringify(body)?.slice(0, 200)}`, body);
  }
}
