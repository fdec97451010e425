import { hostname } from "node:os";
import {
  DEFAULT_ASSETS,
  commonEnv,
  duration,
  isValidSymbol,
  loadConfig,
  port,
  streamEnv,
  symbolList,
  z,
  type AssetMapping,
  type Env,
} from "@cryptostream/core";

/**
 * `ASSETS=pepe=pepe/pepeusdt,hype=hyperliquid/`: symbol = CoinGecko id / Binance pair
 * (empty when Binance does not list it), added to or replacing the defaults.
 */
const assetMappings = z
  .string()
  .default("")
  .transform((text, ctx): AssetMapping[] => {
    const mappings: AssetMapping[] = [...DEFAULT_ASSETS];
    for (const entry of text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const match = /^([^=]+)=([a-z0-9-]+)(?:\/([a-z0-9]*))?$/.exec(entry);
      if (!match || !isValidSymbol(match[1]!)) {
        ctx.addIssue({ code: "custom", message: `"${entry}" is not symbol=coingeckoId/binancePair` });
        return z.NEVER;
      }
      const [, symbol, coingeckoId, pair] = match;
      const mapping: AssetMapping = { symbol: symbol!, name: symbol!.toUpperCase(), coingeckoId: coingeckoId! };
      if (pair === undefined) mapping.binancePair = `${symbol}usdt`;
      else if (pair !== "") mapping.binancePair = pair;
      const index = mappings.findIndex((m) => m.symbol === symbol);
      if (index >= 0) mappings[index] = { ...mapping, name: mappings[index]!.name };
      else mappings.push(mapping);
    }
    return mappings;
  });

export const ingestEnv = {
  ...commonEnv,
  ...streamEnv,
  INGEST_PORT: port(8082),
  INGEST_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'")
    .default(`${hostname()}-${process.pid}`),
  SYMBOLS: symbolList("btc,eth,sol,xlm"),
  ASSETS: assetMappings,
  SOURCES: z
    .string()
    .default("binance,coingecko")
    .transform((text) => text.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(["binance", "coingecko"])).min(1)),
  BINANCE_WS_URL: z.url().default("wss://stream.binance.com:9443"),
  BINANCE_STALE_TIMEOUT: duration("30s", { min: 10, max: 3_600_000 }),
  COINGECKO_API_URL: z.url().optional(),
  COINGECKO_API_KEY: z.string().optional(),
  COINGECKO_PLAN: z.enum(["demo", "pro"]).default("demo"),
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
  const config = loadConfig(ingestEnv, env);
  const coingeckoApiUrl =
    config.COINGECKO_API_URL ?? (config.COINGECKO_PLAN === "pro" ? "https://pro-api.coingecko.com/api/v3" : "https://api.coingecko.com/api/v3");
  return Object.freeze({ ...config, COINGECKO_API_URL: coingeckoApiUrl });
}
