import {
  backoffDelay,
  coinGeckoKeyHeaders,
  httpStatusReason,
  systemClock,
  type Clock,
  type ClockTimer,
  type Logger,
  type UpstreamErrorReason,
} from "@cryptostream/core";
import got from "got";

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
    try {
      const response = await got(`${apiUrl.replace(/\/$/, "")}/coins/markets`, {
        searchParams: { vs_currency: "usd", ids: ids.join(","), per_page: 250 },
        headers: coinGeckoKeyHeaders(plan, apiKey),
        timeout: { lookup: Math.min(2_000, timeoutMs), connect: Math.min(5_000, timeoutMs), request: timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
      });
      if (response.statusCode === 200) {
        this.failures = 0;
        this.state.lastSuccessAt = this.clock.now();
        this.options.onBody(response.body);
      } else {
        this.state.errors++;
        if (response.statusCode === 429) this.state.rateLimited++;
        const retryAfterS = Number(response.headers["retry-after"]);
        nextDelay = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : this.backoff();
        logger.warn({ status: response.statusCode, retryInMs: nextDelay }, "coingecko request refused");
        this.options.onError?.(httpStatusReason(response.statusCode), `HTTP ${response.statusCode}`);
      }
    } catch (error) {
      this.state.errors++;
      nextDelay = this.backoff();
      logger.warn({ err: (error as Error).message, retryInMs: nextDelay }, "coingecko request failed");
      const reason: UpstreamErrorReason = (error as { name?: string }).name === "TimeoutError" ? "timeout" : "network";
      this.options.onError?.(reason, (error as Error).message);
    }
    if (!this.closed) this.timer = this.clock.setTimeout(() => void this.poll(), nextDelay);
  }

  private backoff(): number {
    const base = this.options.intervalMs;
    return base + backoffDelay(this.failures++, { baseMs: base, maxMs: MAX_BACKOFF_MS, random: this.options.random });
  }
}
