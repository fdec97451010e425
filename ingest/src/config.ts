import { hostname } from "node:os";
import { commonEnv, duration, loadConfig, port, streamEnv, symbolList, upstreamEnv, withCoinGeckoUrl, z, type Env } from "@cryptostream/core";

export const ingestEnv = {
  ...commonEnv,
  ...streamEnv,
  ...upstreamEnv,
  INGEST_PORT: port(8082),
  INGEST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'")
    .default(`${hostname()}-${process.pid}`),
  SYMBOLS: symbolList("btc,eth,sol,xlm"),
  SOURCES: z
    .string()
    .default("binance,coingecko")
    .transform((text) => text.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(["binance", "coingecko"])).min(1)),
  BINANCE_WS_URL: z.url().default("wss://stream.binance.com:9443"),
  BINANCE_STALE_TIMEOUT: duration("30s", { min: 10, max: 3_600_000 }),
  COINGECKO_POLL_INTERVAL: duration("30s", { min: 10, max: 86_400_000 }),
  COINGECKO_TIMEOUT: duration("15s", { min: 100, max: 600_000 }),
  FAILOVER_AFTER: duration("15s"),
  FAILBACK_AFTER: duration("30s"),
  MAX_PRICE_JUMP: z.coerce.number().positive().max(100, "must be at most 100 (a move of 10,000%)").default(0.5),
  MAX_CLOCK_SKEW: duration("30s"),
  MAX_TICK_AGE: duration("10m"),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: Env = process.env) {
  return withCoinGeckoUrl(loadConfig(ingestEnv, env));
}
