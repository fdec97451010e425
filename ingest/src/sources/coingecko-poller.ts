import {
  UpstreamRequestError,
  backoffDelay,
  coinGeckoKeyHeaders,
  isUpstreamRequestError,
  systemClock,
  upstreamGet,
  type Clock,
  type ClockTimer,
  type Logger,
  type UpstreamErrorReason,
} from "@cryptostream/core";

export interface CoinGeckoPollerOptions {
  /** `https://api.coingecko.com/api/v3` or a simulated exchange. */
  apiUrl: string;
  ids: readonly string[];
  intervalMs: number;
  /** Longest a request may take, connection included. */
  timeoutMs?: number;
  apiKey?: string | undefined;
  /** `pro` sends the key as `x-cg-pro-api-key`, `demo` as `x-cg-demo-api-key`. */
  plan: "demo" | "pro";
  onBody: (body: string) => void;
  /** A failed poll: `timeout`, `network`, `http_429`, `http_4xx` or `http_5xx`. */
  onError?: (reason: UpstreamErrorReason, message: string) => void;
  logger: Logger;
  random?: () => number;
  /** The poll interval and backoff go by it; the system clock by default. */
  clock?: Clock;
}

export interface PollerStatus {
  lastSuccessAt: number | undefined;
  errors: number;
  rateLimited: number;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/** Polls `/coins/markets` on a fixed interval, backing off on 429 and errors. */
export class CoinGeckoPoller {
  private timer: ClockTimer | undefined;
  private failures = 0;
  private closed = false;
  private readonly state: PollerStatus = { lastSuccessAt: undefined, errors: 0, rateLimited: 0 };

  private readonly clock: Clock;

  constructor(private readonly options: CoinGeckoPollerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    void this.poll();
  }

  status(): Readonly<PollerStatus> {
    return this.state;
  }

  close(): void {
    this.closed = true;
    this.timer?.clear();
  }

  private async poll(): Promise<void> {
    const { apiUrl, ids, apiKey, plan, intervalMs, timeoutMs = 15_000, logger } = this.options;
    let nextDelay = intervalMs;
    let body: string | undefined;
    try {
      body = await upstreamGet(`${apiUrl.replace(/\/$/, "")}/coins/markets`, {
        searchParams: { vs_currency: "usd", ids: ids.join(","), per_page: 250 },
        headers: coinGeckoKeyHeaders(plan, apiKey),
        timeoutMs,
      });
    } catch (error) {
      const failure = isUpstreamRequestError(error) ? error : new UpstreamRequestError("network", (error as Error).message);
      this.state.errors++;
      if (failure.code === "http_429") this.state.rateLimited++;
      nextDelay = failure.retryAfterMs ?? this.backoff();
      logger.warn({ reason: failure.code, err: failure.message, retryInMs: nextDelay }, "coingecko request failed");
      this.options.onError?.(failure.code, failure.message);
    }
    if (body !== undefined) {
      this.failures = 0;
      this.state.lastSuccessAt = this.clock.now();
      this.options.onBody(body);
    }
    if (!this.closed) this.timer = this.clock.setTimeout(() => void this.poll(), nextDelay);
  }

  private backoff(): number {
    const base = this.options.intervalMs;
    return base + backoffDelay(this.failures++, { baseMs: base, maxMs: MAX_BACKOFF_MS, random: this.options.random });
  }
}
