import { hostname } from "node:os";
import { commonEnv, duration, loadConfig, port, positiveInt, streamEnv, trustedProxies, upstreamEnv, withCoinGeckoUrl, z, type Env } from "@cryptostream/core";

export const historyEnv = {
  ...commonEnv,
  ...streamEnv,
  ...upstreamEnv,
  HISTORY_PORT: port(8081),
  HISTORY_DURABLE: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "must be a consumer name")
    .default("history"),
  /** This instance's name in the writer lease and the logs; the host name and process id by default. */
  HISTORY_INSTANCE: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, "must be a name of letters, digits and _.:-")
    .default(() => `${hostname()}-${process.pid}`),
  /** Whose `X-Forwarded-For` to believe for the per-address limit of `/api/ticks`. */
  TRUST_PROXY: trustedProxies(),
  /** `/api/ticks` reads running at once on this instance. */
  WINDOW_READS_MAX: positiveInt(4, 1_000),
  /** Of those, at most this many for one client address (running and waiting). */
  WINDOW_READS_PER_IP: positiveInt(2, 1_000_000),
  /** Reads waiting for a slot; past this, `429`. */
  WINDOW_READS_QUEUE: positiveInt(64, 100_000),
  /** How long a read may wait for a slot before `429`. */
  WINDOW_READS_WAIT: duration("5s", { min: 10, max: 600_000 }),
  /** A client that takes no bytes of `/api/ticks` for this long is cut off, and its read ends. */
  SEND_TIMEOUT: duration("30s", { min: 100, max: 600_000 }),
  /** Whether candles before the first tick are filled from the exchanges (Binance klines, then CoinGecko OHLC). */
  CANDLE_BACKFILL: z
    .enum(["true", "false"])
    .default("true")
    .transform((text) => text === "true"),
  BINANCE_REST_URL: z.url().default("https://api.binance.com"),
  /** A backfill request that has not answered by then is retried. */
  BACKFILL_TIMEOUT: duration("15s", { min: 100, max: 600_000 }),
  /** Open HTTP connections this instance accepts. */
  HTTP_MAX_CONNECTIONS: positiveInt(10_000, 1_000_000),
};

export type HistoryConfig = ReturnType<typeof loadHistoryConfig>;

export function loadHistoryConfig(env: Env = process.env) {
  return withCoinGeckoUrl(loadConfig(historyEnv, env));
}
