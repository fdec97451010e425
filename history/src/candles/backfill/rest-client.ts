import { UpstreamRequestError, backoffDelay, sleep, upstreamGetJson, type Clock, type UpstreamErrorReason, type UpstreamHeaders } from "@cryptostream/core";

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
  onHeaders?: (headers: UpstreamHeaders) => void;
  /** Checked before each attempt: a stopping service asks no more. */
  stopped?: () => boolean;
}

/**
 * GETs JSON from an exchange as its documentation asks: one request at a time, spaced; a 429 or
 * 418 (Binance's ban, counted as `http_429`) waits the `Retry-After` it names, never retrying
 * before it; a timeout, network error or 5xx is retried with backoff a few times; any other
 * status is an error at once. Each attempt is one {@link upstreamGetJson}.
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
        this.options.onError?.(error.code);
        if (error.code === "http_429") {
          this.holdUntil(clock.now() + (error.retryAfterMs ?? this.options.defaultRetryAfterMs ?? 60_000));
          continue;
        }
        if (error.code === "http_4xx" || error.code === "closed" || attempt + 1 >= attempts) throw error;
        await sleep(clock, backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 }));
      }
    }
  }

  private request(url: string): Promise<unknown> {
    const { timeoutMs, headers, onHeaders } = this.options;
    return upstreamGetJson(url, { timeoutMs, ...(headers ? { headers } : {}), ...(onHeaders ? { onHeaders } : {}) });
  }
}
