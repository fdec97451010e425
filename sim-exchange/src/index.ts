export { loadSimConfig, simEnv } from "./config";
export { seededRandom } from "./random";
export { startSimExchange } from "./server";
export { toBinanceMiniTicker } from "./wire-format";
export type { CoinGeckoMisbehaviour, SimExchange } from "./server";
export type { SimVenue, VenueBehaviour } from "./venue-quotes";
