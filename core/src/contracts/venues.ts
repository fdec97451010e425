import type { AssetMapping } from "./assets";

/** The exchanges whose prices form the reference price, each read live over WebSocket. */
export const EXCHANGE_VENUES = ["binance", "coinbase", "kraken"] as const;
export type ExchangeVenue = (typeof EXCHANGE_VENUES)[number];
/** The aggregator polled over REST: the reference price only when no exchange is fresh. */
export const LAST_RESORT_VENUE = "coingecko";
/** Every upstream ingest can read (`SOURCES`). */
export const VENUES = [...EXCHANGE_VENUES, LAST_RESORT_VENUE] as const;
export type Venue = (typeof VENUES)[number];

/** `source` of a reference tick formed from two or more venues. */
export const INDEX_SOURCE = "index";

/** JetStream stream of every venue's validated ticks, on `ticks.<venue>.<symbol>`. */
export const TICKS_STREAM = "TICKS";
export const VENUE_TICK_SUBJECT_PREFIX = "ticks";
/** Wildcard that matches every venue's ticks. */
export const VENUE_TICK_SUBJECTS = `${VENUE_TICK_SUBJECT_PREFIX}.>`;

export function venueTickSubject(venue: string, symbol: string): string {
  return `${VENUE_TICK_SUBJECT_PREFIX}.${venue}.${symbol}`;
}

/** Coinbase product of an asset: `BTC-USD` unless the mapping names another. */
export function coinbaseProductOf(asset: AssetMapping): string {
  return asset.coinbaseProduct ?? `${asset.symbol.toUpperCase()}-USD`;
}

/** Kraken WebSocket v2 pair of an asset: `BTC/USD` unless the mapping names another. */
export function krakenPairOf(asset: AssetMapping): string {
  return asset.krakenPair ?? `${asset.symbol.toUpperCase()}/USD`;
}
