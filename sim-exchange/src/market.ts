import { DEFAULT_ASSETS, assetFor, systemClock, type AssetMapping, type Clock } from "@cryptostream/core";
import { randomInt } from "node:crypto";
import { PricePath, roundPrice } from "./price-path";
import { gaussian, seededRandom } from "./random";

/** Realistic starting prices in USD for the default assets. */
const START_PRICES: Record<string, number> = {
  btc: 98_400,
  eth: 3_410,
  xrp: 2.31,
  bnb: 905,
  sol: 241.2,
  usdc: 1,
  trx: 0.29,
  doge: 0.382,
  ada: 0.71,
  link: 15.2,
  bch: 505,
  xlm: 0.451,
  sui: 3.21,
  avax: 25.4,
  ltc: 101,
  hbar: 0.2,
  shib: 0.0000121,
  ton: 3.02,
  dot: 4.1,
  uni: 8.05,
};
/** Stablecoins hold their peg: a sliver of the volatility of the rest. */
const STABLECOINS = new Set(["usdc", "usdt", "dai", "fdusd", "usde"]);
const MS_PER_YEAR = 365.25 * 86_400_000;

export interface CoinState {
  asset: AssetMapping;
  rank: number;
  price: number;
  /** Price 24 h ago: the open of Binance's rolling window. */
  open: number;
  high: number;
  low: number;
  /** Base-asset volume of the last 24 h. */
  volume: number;
  /** Event time of the latest move, ms since epoch, strictly increasing. */
  updatedAt: number;
  /** Its past and its live minute bars, for klines and OHLC. */
  path: PricePath;
}

export interface MarketOptions {
  /** Symbols to simulate; default the 20 default assets. Others get generated prices. */
  symbols?: readonly string[];
  /** The same seed gives the same market; without one, every start draws a new one. */
  seed?: number;
  /** Annualised volatility of the geometric Brownian motion; crypto is around 0.6 to 1. */
  volatility?: number;
  /** How many times faster than a real market prices move (1: as large as real moves; 30: a lively demo). */
  speed?: number;
  /** Windows of the past in which the exchange did not trade: its klines have a hole there, as real ones do after maintenance. */
  outages?: readonly { fromMs: number; toMs: number }[];
  /** Symbols Binance does not list: its klines refuse them (-1121 Invalid symbol); CoinGecko serves them. */
  binanceUnlisted?: readonly string[];
  /** Prices to start from (a restarted demo continues where it stopped); others start from realistic defaults. */
  startPrices?: Readonly<Record<string, number>>;
  /** The market's time; the system clock by default. */
  clock?: Clock;
}

/** Prices that move like a market: geometric Brownian motion per symbol. */
export class Market {
  readonly coins = new Map<string, CoinState>();
  /** Symbols whose trading is halted: they neither move nor tick until resumed. */
  readonly halted = new Set<string>();
  /** The seed this market was drawn from. */
  readonly seed: number;
  private readonly random: () => number;
  private readonly sigma: number;
  private readonly binanceUnlisted: ReadonlySet<string>;
  private readonly outages: MarketOptions["outages"];
  private readonly clock: Clock;
  private lastStepAt: number;

  constructor({
    symbols,
    seed = randomInt(2 ** 31),
    volatility = 0.8,
    speed = 1,
    startPrices = {},
    binanceUnlisted = [],
    outages = [],
    clock = systemClock,
  }: MarketOptions = {}) {
    this.seed = seed;
    this.outages = outages;
    this.binanceUnlisted = new Set(binanceUnlisted);
    this.random = seededRandom(seed);
    this.sigma = volatility * speed;
    this.clock = clock;
    this.lastStepAt = clock.now();
    const wanted = symbols ?? DEFAULT_ASSETS.map((asset) => asset.symbol);
    wanted.forEach((symbol, index) => this.coins.set(symbol, this.newCoin(symbol, index + 1, startPrices[symbol])));
  }

  private newCoin(symbol: string, rank: number, startPrice: number | undefined): CoinState {
    const price = startPrice ?? START_PRICES[symbol] ?? Number((1 + this.random() * 200).toPrecision(6));
    const volume = (1_000_000 / price) * (50 + this.random() * 500);
    const sigmaPerMinute = this.sigmaOf(symbol) * Math.sqrt(60_000 / MS_PER_YEAR);
    const seed = Math.floor(this.random() * 2 ** 31);
    const path = new PricePath({ price, anchorMs: this.lastStepAt, sigmaPerMinute, volumePerMinute: volume / 1_440, seed, outages: this.outages ?? [] });
    // Binance's rolling 24 h window, from the drawn past.
    const day = path.bars(86_400_000 / 24, this.lastStepAt - 86_400_000, this.lastStepAt);
    const open = day[0]?.open ?? price;
    const high = Math.max(price, ...day.map((bar) => bar.high));
    const low = Math.min(price, ...day.map((bar) => bar.low));
    return { asset: assetFor(symbol), rank, price, open, high, low, volume, updatedAt: this.lastStepAt, path };
  }

  private sigmaOf(symbol: string): number {
    return STABLECOINS.has(symbol) ? this.sigma / 200 : this.sigma;
  }

  /** Halts one symbol's trading (no move, no mini ticker), or resumes it. */
  setHalted(symbol: string, halted: boolean): void {
    if (halted) this.halted.add(symbol);
    else this.halted.delete(symbol);
  }

  /** Moves every trading price by the time elapsed since the last step (at least 1 ms); returns the coins that moved. */
  step(): CoinState[] {
    const now = Math.max(this.clock.now(), this.lastStepAt + 1);
    const dt = Math.max(now - this.lastStepAt, 1) / MS_PER_YEAR;
    this.lastStepAt = now;
    const trading = [...this.coins.values()].filter((coin) => !this.halted.has(coin.asset.symbol));
    for (const coin of trading) {
      const sigma = this.sigmaOf(coin.asset.symbol);
      const shock = (-(sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * gaussian(this.random);
      coin.price = roundPrice(coin.price * Math.exp(shock));
      coin.high = Math.max(coin.high, coin.price);
      coin.low = Math.min(coin.low, coin.price);
      coin.volume += (coin.volume / 86_400) * (0.5 + this.random());
      coin.updatedAt = now;
      coin.path.record(coin.price, now);
    }
    return trading;
  }

  byBinancePair(pair: string): CoinState | undefined {
    for (const coin of this.coins.values()) if (coin.asset.binancePair === pair && !this.binanceUnlisted.has(coin.asset.symbol)) return coin;
    return undefined;
  }

  byCoinGeckoId(id: string): CoinState | undefined {
    for (const coin of this.coins.values()) if (coin.asset.coingeckoId === id) return coin;
    return undefined;
  }
}
