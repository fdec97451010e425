export * from "./contracts/index";
export { z } from "zod";
export {
  TIMER_LIMIT_MS,
  commonEnv,
  duration,
  formatDuration,
  loadConfig,
  port,
  positiveInt,
  referenceEnv,
  referenceSettings,
  secret,
  streamEnv,
  symbolList,
  trustedProxies,
} from "./config";
export { clientAddress, parseTrustedProxies, requestClientAddress } from "./client-address";
export type { TrustedProxies } from "./client-address";
export { ConfigError, CryptoStreamError, PublishError, isConfigError, isPublishError } from "./errors";
export type { PublishErrorCode } from "./errors";
export { closeServer, createHttpServer, endWithError, listen, sendError, sendJson } from "./http";
export {
  candlesStreamConfig,
  ensureAssetsBucket,
  ensureCandlesStream,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  ensureWriterLeaseBucket,
  isWrongLastSequence,
  LIVE_CONSUMER_EXPIRES_MS,
  pricesConsumerFilter,
  pricesStreamConfig,
  pricesStreamSettings,
  streamSettingChanges,
  TICK_STREAMS,
} from "./jetstream";
export { createLogger } from "./logger";
export { createMetrics } from "./metrics";
export { connectNats, inboxPrefixFor, newInbox, unsupportedServerReason } from "./nats";
export { SHUTDOWN_DEADLINE_MS, runNatsService, runService } from "./service";
export { BinanceCombinedSchema, BinanceKlineSchema, BinanceMiniTickerSchema, combinedStreamPath, miniTickerStream } from "./upstream/binance";
export { CoinGeckoMarketSchema, CoinGeckoOhlcSchema } from "./upstream/coingecko";
export { CoinbaseEnvelopeSchema, CoinbaseTickerEventSchema, CoinbaseTickerSchema, coinbaseSubscribe } from "./upstream/coinbase";
export { KrakenSubscribeAckSchema, KrakenTickerMessageSchema, KrakenTickerSchema, krakenSubscribe } from "./upstream/kraken";
export { assetMappings, coinGeckoKeyHeaders, upstreamEnv, withCoinGeckoUrl } from "./upstream/env";
export { UpstreamRequestError, isUpstreamRequestError, upstreamGet, upstreamGetJson } from "./upstream/http";
export { visitTickWindow } from "./tick-window";

export type { ConfigCheck, DurationBounds, Env } from "./config";
export type { HealthReport, HttpServerOptions, Route, RouteHandler, RouteParams } from "./http";
export type { EnsureStreamOptions, PricesStreamSettings, StreamSettingChange, TickStreamName } from "./jetstream";
export type { Logger, LoggerOptions } from "./logger";
export type { ServiceMetrics } from "./metrics";
export type { NatsConnection, NatsOptions } from "./nats";
export type { NatsServiceConfig, RunningService, ServiceDeps } from "./service";
export type { BinanceCombined, BinanceKline, BinanceMiniTicker } from "./upstream/binance";
export type { CoinGeckoMarket, CoinGeckoOhlc, CoinGeckoSimplePrice } from "./upstream/coingecko";
export type { CoinbaseEnvelope, CoinbaseTicker } from "./upstream/coinbase";
export type { KrakenTicker } from "./upstream/kraken";
export type { UpstreamHeaders } from "./upstream/http";
export type { TickWindow, TickWindowVisitor } from "./tick-window";
export { WindowReadSlots, WindowReadsBusyError, isWindowReadsBusy } from "./window-read-slots";
export type { WindowSlotLimits } from "./window-read-slots";
export { sleep, systemClock } from "./clock";
export { provisionAll } from "./provision";
export { StreamFollower } from "./stream-follower";
export type { FollowStart, FollowerStatus, StreamFollowerOptions } from "./stream-follower";
export type { Clock, ClockTimer } from "./clock";
export { openWindowReads, windowReadsEnv } from "./window-reads";
export type { WindowReads, WindowReadsConfig, WindowReadsDefaults } from "./window-reads";
export { JetStreamAckInbox } from "./ack-inbox";
export type { PublishAck } from "./ack-inbox";
