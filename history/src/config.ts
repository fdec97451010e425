import { hostname } from "node:os";
import {
  commonEnv,
  duration,
  loadConfig,
  port,
  positiveInt,
  streamEnv,
  trustedProxies,
  upstreamEnv,
  windowReadsEnv,
  withCoinGeckoUrl,
  z,
  type Env,
} from "@cryptostream/core";

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
  /** `/api/ticks` reads: at most 4 at once, 2 for one address, 64 waiting, each waiting 5 s at most before `429`. */
  ...windowReadsEnv({ max: 4, perIp: 2, queue: 64, wait: "5s" }),
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
