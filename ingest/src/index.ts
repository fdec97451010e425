export { startIngest } from "./app";
export { AssetsWriter } from "./assets-writer";
export { ingestEnv, loadIngestConfig } from "./config";
export { SourceSelector } from "./failover";
export { TickPublisher } from "./publisher";
export { BINANCE_SOURCE, parseBinanceFrame } from "./sources/binance-parse";
export { BinanceFeed } from "./sources/binance-feed";
export { ConnectionBudget, binanceConnectionBudget } from "./sources/connection-budget";
export { COINGECKO_SOURCE, parseCoinGeckoMarkets } from "./sources/coingecko-parse";
export { CoinGeckoPoller } from "./sources/coingecko-poller";
export { DEFAULT_GATE_LIMITS, TickGate, UNCHANGED } from "./tick-gate";

export type { IngestDeps, IngestService } from "./app";
export type { IngestConfig } from "./config";
export type { CoinGeckoMarkets } from "./sources/coingecko-parse";
export type { UpstreamResult } from "./sources/upstream-result";
export type { ActiveSource } from "./failover";
export type { GateVerdict, TickGateLimits } from "./tick-gate";
