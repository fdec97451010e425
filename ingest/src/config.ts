import { hostname } from "node:os";
import {
  VENUES,
  commonEnv,
  duration,
  loadConfig,
  port,
  referenceEnv,
  streamEnv,
  symbolList,
  upstreamEnv,
  withCoinGeckoUrl,
  z,
  type Env,
} from "@cryptostream/core";

export const ingestEnv = {
  ...commonEnv,
  ...streamEnv,
  ...upstreamEnv,
  ...referenceEnv,
  INGEST_PORT: port(8082),
  INGEST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'")
    .default(`${hostname()}-${process.pid}`),
  SYMBOLS: symbolList("btc,eth,sol,xlm"),
  SOURCES: z
    .string()
    .default(VENUES.join(","))
    .transform((text) => text.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(VENUES)).min(1)),
  BINANCE_WS_URL: z.url().default("wss://stream.binance.com:9443"),
  BINANCE_STALE_TIMEOUT: duration("30s", { min: 10, max: 3_600_000 }),
  COINBASE_WS_URL: z.url().default("wss://advanced-trade-ws.coinbase.com"),
  KRAKEN_WS_URL: z.url().default("wss://ws.kraken.com/v2"),
  /** Coinbase and Kraken send heartbeats every second: silence this long is a dead connection. */
  VENUE_STALE_TIMEOUT: duration("10s", { min: 10, max: 3_600_000 }),
  COINGECKO_POLL_INTERVAL: duration("30s", { min: 10, max: 86_400_000 }),
  COINGECKO_TIMEOUT: duration("15s", { min: 100, max: 600_000 }),
  MAX_PRICE_JUMP: z.coerce.number().positive().max(100, "must be at most 100 (a move of 10,000%)").default(0.5),
  MAX_CLOCK_SKEW: duration("30s"),
  MAX_TICK_AGE: duration("10m"),
};

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: Env = process.env) {
  return withCoinGeckoUrl(loadConfig(ingestEnv, env));
}
