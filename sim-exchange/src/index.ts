export { loadSimConfig, simEnv } from "./config";
export { Market } from "./market";
export { gaussian, seededRandom } from "./random";
export { startSimExchange } from "./server";
export { toBinanceMiniTicker, toCoinGeckoMarket, toCoinGeckoSimplePrice } from "./wire-format";

export type { CoinState, MarketOptions } from "./market";
export type { CoinGeckoMisbehaviour, SimExchange, SimExchangeOptions } from "./server";
