import { CoinGeckoMarketSchema, type AssetMetadata, type Tick } from "@cryptostream/core";
import { describeIssues, parseJson, type UpstreamResult } from "./upstream-result";

export const COINGECKO_SOURCE = "coingecko";

export interface CoinGeckoMarkets {
  results: UpstreamResult[];
  /** Name, icon and rank of each tracked coin, for the `assets` bucket. */
  assets: AssetMetadata[];
}

/**
 * Parses a `/coins/markets` body into one result per coin; a bad coin is rejected
 * alone and the others still count. `symbolOfId` maps a CoinGecko id to a tracked symbol.
 */
export function parseCoinGeckoMarkets(body: string, symbolOfId: ReadonlyMap<string, string>): CoinGeckoMarkets {
  const parsed = parseJson(body);
  if (!parsed.ok) return { results: [parsed.result], assets: [] };
  const coins = parsed.value;
  if (!Array.isArray(coins)) {
    return { results: [{ kind: "rejected", reason: "unknown_format", message: "expected an array of coins" }], assets: [] };
  }
  const assets: AssetMetadata[] = [];
  const results = coins.map((value): UpstreamResult => {
    const coin = CoinGeckoMarketSchema.safeParse(value);
    if (!coin.success) {
      const detail = describeIssues(coin.error);
      return { kind: "rejected", reason: "invalid_event", message: `bad coin: ${detail}` };
    }
    const { id, name, image, market_cap_rank, current_price, last_updated, total_volume, price_change_percentage_24h } = coin.data;
    const symbol = symbolOfId.get(id);
    if (!symbol) return { kind: "rejected", reason: "unknown_symbol", message: `untracked coin ${id}` };
    const asset: AssetMetadata = { symbol, name, coingeckoId: id };
    if (image) asset.image = image;
    if (typeof market_cap_rank === "number") asset.marketCapRank = market_cap_rank;
    assets.push(asset);
    const ts = last_updated ? Date.parse(last_updated) : Number.NaN;
    if (current_price === null || Number.isNaN(ts)) {
      return { kind: "rejected", reason: "invalid_event", message: `coin ${id} has no price or last_updated` };
    }
    const tick: Tick = { symbol, price: current_price, ts, source: COINGECKO_SOURCE };
    if (typeof price_change_percentage_24h === "number") tick.change24h = price_change_percentage_24h;
    if (typeof total_volume === "number") tick.volume24h = total_volume;
    return { kind: "tick", tick };
  });
  return { results, assets };
}
