export * from "./contracts/index";
export { z } from "zod";
export { commonEnv, duration, loadConfig, port, positiveInt, streamEnv, symbolList } from "./config";
export { ConfigError, isConfigError } from "./errors";
export { closeServer, createHttpServer, listen, sendError, sendJson } from "./http";
export {
  ensureAssetsBucket,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  LIVE_CONSUMER_EXPIRES_MS,
  pricesStreamConfig,
  pricesStreamSettings,
} from "./jetstream";
export { createLogger } from "./logger";
export { createMetrics } from "./metrics";
export { connectNats } from "./nats";
export { SHUTDOWN_DEADLINE_MS, runNatsService, runService } from "./service";
export { BinanceCombinedSchema, BinanceMiniTickerSchema, combinedStreamPath, miniTickerStream } from "./upstream/binance";
export { CoinGeckoMarketSchema } from "./upstream/coingecko";
export { visitTickWindow } from "./window";

export type { Env } from "./config";
export type { HealthReport, HttpServerOptions, Route, RouteHandler, RouteParams } from "./http";
export type { PricesStreamSettings } from "./jetstream";
export type { Logger, LoggerOptions } from "./logger";
export type { ServiceMetrics } from "./metrics";
export type { NatsConnection, NatsOptions } from "./nats";
export type { NatsServiceConfig, RunningService, ServiceDeps } from "./service";
export type { BinanceCombined, BinanceMiniTicker } from "./upstream/binance";
export type { CoinGeckoMarket, CoinGeckoSimplePrice } from "./upstream/coingecko";
export type { TickWindow, TickWindowVisitor } from "./window";
