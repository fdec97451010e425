/** What the `assets` bucket keeps per symbol (key = symbol), written by ingest from CoinGecko. */
export interface AssetMetadata {
  symbol: string;
  name: string;
  coingeckoId: string;
  /** URL of the coin's icon. */
  image?: string;
  marketCapRank?: number;
}
