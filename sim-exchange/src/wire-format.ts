import { coinIconUrl } from "./coin-icon";
import type { BinanceCombined, BinanceMiniTicker, CoinGeckoMarket, CoinGeckoSimplePrice } from "@cryptostream/core";
import type { CoinState } from "./market";

const decimal = (value: number) => value.toFixed(8);

/** A coin's state as a Binance combined-stream mini ticker message. */
export function toBinanceMiniTicker(coin: CoinState): BinanceCombined<BinanceMiniTicker> {
  const pair = coin.asset.binancePair ?? `${coin.asset.symbol}usdt`;
  return {
    stream: `${pair}@miniTicker`,
    data: {
      e: "24hrMiniTicker",
      E: coin.updatedAt,
      s: pair.toUpperCase(),
      c: decimal(coin.price),
      o: decimal(coin.open),
      h: decimal(coin.high),
      l: decimal(coin.low),
      v: decimal(coin.volume),
      q: decimal(coin.volume * coin.price),
    },
  };
}

const change24h = (coin: CoinState) => ((coin.price - coin.open) / coin.open) * 100;

/** A coin's state as one entry of CoinGecko's `/coins/markets`. */
export function toCoinGeckoMarket(coin: CoinState): CoinGeckoMarket {
  return {
    id: coin.asset.coingeckoId,
    symbol: coin.asset.symbol,
    name: coin.asset.name,
    image: coinIconUrl(coin.asset.symbol),
    current_price: coin.price,
    market_cap_rank: coin.rank,
    total_volume: coin.volume * coin.price,
    price_change_percentage_24h: change24h(coin),
    last_updated: new Date(coin.updatedAt).toISOString(),
  };
}

/** A coin's state as one entry of CoinGecko's `/simple/price`. */
export function toCoinGeckoSimplePrice(coin: CoinState): CoinGeckoSimplePrice {
  return {
    usd: coin.price,
    usd_24h_vol: coin.volume * coin.price,
    usd_24h_change: change24h(coin),
    last_updated_at: Math.floor(coin.updatedAt / 1000),
  };
}
