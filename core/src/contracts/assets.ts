/** How one tracked coin is named upstream. */
export interface AssetMapping {
  symbol: string;
  name: string;
  /** CoinGecko coin id, as in `/coins/markets?ids=`. */
  coingeckoId: string;
  /** Binance spot pair against USDT, lowercase as in stream names; absent when Binance does not list it. */
  binancePair?: string;
  /** Coinbase product against USD (`BTC-USD`); `<SYMBOL>-USD` when absent. */
  coinbaseProduct?: string;
  /** Kraken WebSocket v2 pair against USD (`BTC/USD`); `<SYMBOL>/USD` when absent. */
  krakenPair?: string;
}

/** The top 20 coins by market cap (stablecoin USDT left out: it is the quote), with their upstream names. */
export const DEFAULT_ASSETS: readonly AssetMapping[] = [
  { symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin", binancePair: "btcusdt" },
  { symbol: "eth", name: "Ethereum", coingeckoId: "ethereum", binancePair: "ethusdt" },
  { symbol: "xrp", name: "XRP", coingeckoId: "ripple", binancePair: "xrpusdt" },
  { symbol: "bnb", name: "BNB", coingeckoId: "binancecoin", binancePair: "bnbusdt" },
  { symbol: "sol", name: "Solana", coingeckoId: "solana", binancePair: "solusdt" },
  { symbol: "usdc", name: "USDC", coingeckoId: "usd-coin", binancePair: "usdcusdt" },
  { symbol: "trx", name: "TRON", coingeckoId: "tron", binancePair: "trxusdt" },
  { symbol: "doge", name: "Dogecoin", coingeckoId: "dogecoin", binancePair: "dogeusdt" },
  { symbol: "ada", name: "Cardano", coingeckoId: "cardano", binancePair: "adausdt" },
  { symbol: "link", name: "Chainlink", coingeckoId: "chainlink", binancePair: "linkusdt" },
  { symbol: "bch", name: "Bitcoin Cash", coingeckoId: "bitcoin-cash", binancePair: "bchusdt" },
  { symbol: "xlm", name: "Stellar", coingeckoId: "stellar", binancePair: "xlmusdt" },
  { symbol: "sui", name: "Sui", coingeckoId: "sui", binancePair: "suiusdt" },
  { symbol: "avax", name: "Avalanche", coingeckoId: "avalanche-2", binancePair: "avaxusdt" },
  { symbol: "ltc", name: "Litecoin", coingeckoId: "litecoin", binancePair: "ltcusdt" },
  { symbol: "hbar", name: "Hedera", coingeckoId: "hedera-hashgraph", binancePair: "hbarusdt" },
  { symbol: "shib", name: "Shiba Inu", coingeckoId: "shiba-inu", binancePair: "shibusdt" },
  { symbol: "ton", name: "Toncoin", coingeckoId: "the-open-network", binancePair: "tonusdt" },
  { symbol: "dot", name: "Polkadot", coingeckoId: "polkadot", binancePair: "dotusdt" },
  { symbol: "uni", name: "Uniswap", coingeckoId: "uniswap", binancePair: "uniusdt" },
];

/** The mapping of a symbol: a default one, or a guess (`<symbol>usdt`, id = symbol) for others. */
export function assetFor(symbol: string, assets: readonly AssetMapping[] = DEFAULT_ASSETS): AssetMapping {
  return (
    assets.find((asset) => asset.symbol === symbol) ?? {
      symbol,
      name: symbol.toUpperCase(),
      coingeckoId: symbol,
      binancePair: `${symbol}usdt`,
    }
  );
}
