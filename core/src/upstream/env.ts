import { z } from "zod";
import { DEFAULT_ASSETS, type AssetMapping } from "../contracts/assets";
import { isValidSymbol } from "../contracts/names";

/**
 * `ASSETS=pepe=pepe/pepeusdt,hype=hyperliquid/`: symbol = CoinGecko id / Binance pair
 * (empty when Binance does not list it), added to or replacing the defaults.
 */
export const assetMappings = z
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

/** How every service that calls an exchange names the coins and reaches CoinGecko. */
export const upstreamEnv = {
  ASSETS: assetMappings,
  /** Default by plan: api.coingecko.com (keyless or demo key), pro-api.coingecko.com (pro). */
  COINGECKO_API_URL: z.url().optional(),
  COINGECKO_API_KEY: z.string().optional(),
  COINGECKO_PLAN: z.enum(["demo", "pro"]).default("demo"),
};

/** The configuration with `COINGECKO_API_URL` resolved from the plan when it is not set. */
export function withCoinGeckoUrl<T extends { COINGECKO_API_URL?: string | undefined; COINGECKO_PLAN: "demo" | "pro" }>(config: T) {
  const url = config.COINGECKO_API_URL ?? (config.COINGECKO_PLAN === "pro" ? "https://pro-api.coingecko.com/api/v3" : "https://api.coingecko.com/api/v3");
  return Object.freeze({ ...config, COINGECKO_API_URL: url });
}

/** The header that carries a CoinGecko key: `x-cg-pro-api-key` on the pro plan, `x-cg-demo-api-key` otherwise. */
export function coinGeckoKeyHeaders(plan: "demo" | "pro", apiKey: string | undefined): Record<string, string> {
  return apiKey ? { [plan === "pro" ? "x-cg-pro-api-key" : "x-cg-demo-api-key"]: apiKey } : {};
}
