/** Subject prefix of every price tick: `prices.<symbol>`. */
export const PRICE_SUBJECT_PREFIX = "prices";
/** Wildcard that matches every price subject. */
export const PRICE_SUBJECTS = `${PRICE_SUBJECT_PREFIX}.>`;
/** JetStream stream that keeps every published tick. */
export const PRICES_STREAM = "PRICES";
/** KV bucket with the last {@link HISTORY_DEPTH} ticks of each symbol, key = symbol. */
export const PRICE_HISTORY_BUCKET = "price_history";
/** KV bucket of coin metadata (name, icon, rank), key = symbol. */
export const ASSETS_BUCKET = "assets";
/**
 * KV bucket holding the lease of the one history instance that writes (`price_history` and
 * `CANDLES`); key {@link WRITER_LEASE_KEY}. Its max age is the lease: a writer that stops
 * renewing loses it {@link WRITER_LEASE_MS} after its last renewal, with no clock compared.
 */
export const HISTORY_WRITER_BUCKET = "history_writer";
export const WRITER_LEASE_KEY = "writer";
export const WRITER_LEASE_MS = 3_000;
/** How many ticks per symbol `price_history` keeps. */
export const HISTORY_DEPTH = 50;

/** Lowercase base asset, quoted in USD: `btc`, `eth`, `sol`, `xlm`, ... */
export const SYMBOL_PATTERN = /^[a-z0-9]{1,20}$/;

/** A source (venue or aggregator) name: `binance`, `coingecko`, ... */
export const SOURCE_PATTERN = /^[a-z0-9_-]{1,32}$/;

export function isValidSymbol(value: string): boolean {
  return SYMBOL_PATTERN.test(value);
}

export function priceSubject(symbol: string): string {
  return `${PRICE_SUBJECT_PREFIX}.${symbol}`;
}

/** The symbol of a `prices.<symbol>` subject, or undefined for any other subject. */
export function symbolFromSubject(subject: string): string | undefined {
  const prefix = `${PRICE_SUBJECT_PREFIX}.`;
  if (!subject.startsWith(prefix)) return undefined;
  const symbol = subject.slice(prefix.length);
  return isValidSymbol(symbol) ? symbol : undefined;
}
