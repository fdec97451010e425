import { coinIconUrl } from "./coin-icon";
import {
  coinbaseProductOf,
  krakenPairOf,
  type BinanceCombined,
  type BinanceMiniTicker,
  type CoinbaseTicker,
  type CoinGeckoMarket,
  type CoinGeckoSimplePrice,
  type KrakenTicker,
} from "@cryptostream/core";
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

/** A coin's state as one ticker of Coinbase's Advanced Trade `ticker` channel, at the venue's own `price`. */
export function toCoinbaseTicker(coin: CoinState, price: number): CoinbaseTicker & Record<string, string> {
  const spread = price * 0.00001;
  return {
    type: "ticker",
    product_id: coinbaseProductOf(coin.asset),
    price: String(price),
    volume_24_h: decimal(coin.volume / 3),
    low_24_h: String(Math.min(coin.low, price)),
    high_24_h: String(Math.max(coin.high, price)),
    low_52_w: String(Math.min(coin.low, price)),
    high_52_w: String(Math.max(coin.high, price)),
    price_percent_chg_24_h: change24h(coin).toFixed(8),
    best_bid: String(price - spread),
    best_bid_quantity: "0.5",
    best_ask: String(price),
    best_ask_quantity: "0.25",
  };
}

/** A coin's state as one entry of Kraken v2's `ticker` channel, at the venue's own `price`. */
export function toKrakenTicker(coin: CoinState, price: number): KrakenTicker & Record<string, unknown> {
  const spread = price * 0.00001;
  return {
    symbol: krakenPairOf(coin.asset),
    bid: price - spread,
    bid_qty: 0.5,
    ask: price,
    ask_qty: 0.25,
    last: price,
    volume: coin.volume / 5,
    vwap: (coin.open + price) / 2,
    low: Math.min(coin.low, price),
    high: Math.max(coin.high, price),
    change: price - coin.open,
    change_pct: Number(change24h(coin).toFixed(2)),
    timestamp: new Date(coin.updatedAt).toISOString(),
  };
}
