export { DEFAULT_ASSETS, assetFor } from "./assets";
export { backoffDelay } from "./backoff";
export {
  CANDLE_INTERVALS,
  CANDLE_LATENESS_MS,
  CANDLE_SUBJECT_PREFIX,
  CANDLE_SUBJECTS,
  CANDLES_PER_SUBJECT,
  CANDLES_STREAM,
  CandleAggregator,
  CandleSchema,
  candleMsgId,
  candleOpenTime,
  candleSubject,
  decodeCandle,
  isCandleInterval,
} from "./candles";
export type { Candle, CandleFoldState, CandleInterval } from "./candles";
export { parseDuration } from "./duration";
export {
  ASSETS_BUCKET,
  HISTORY_DEPTH,
  HISTORY_WRITER_BUCKET,
  PRICE_HISTORY_BUCKET,
  PRICE_SUBJECT_PREFIX,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  SYMBOL_PATTERN,
  isValidSymbol,
  priceSubject,
  symbolFromSubject,
  WRITER_LEASE_KEY,
  WRITER_LEASE_MS,
} from "./names";
export { PROTOCOL_VERSION } from "./protocol";
export {
  SOURCE_REPORT_EXPIRES_MS,
  SOURCE_REPORT_INTERVAL_MS,
  SOURCE_STATUS_SUBJECT_PREFIX,
  SOURCE_STATUS_SUBJECTS,
  SourceReportSchema,
  REFERENCE_STATUS_SUBJECT_PREFIX,
  REFERENCE_STATUS_SUBJECTS,
  ReferenceStatusSchema,
  decodeReferenceStatus,
  decodeSourceReport,
  referenceStatusSubject,
  sourceStatusSubject,
} from "./status";
export type { ReferenceStatus, SourceReport, SourceReportDecoding, SourceStatus, StatusReport, SymbolStatus } from "./status";
export {
  CLOSE_CODES,
  HISTORY_ROLES,
  HTTP_ERROR_CODES,
  PROTOCOL_ERROR_CODES,
  PROTOCOL_NOTICE_CODES,
  REFERENCE_DROP_REASONS,
  REFERENCE_WITHHELD_REASONS,
  REPLAY_OUTCOMES,
  RESUME_OUTCOMES,
  SOURCE_DOWN_REASONS,
  TICK_REJECT_REASONS,
  UPGRADE_REFUSAL_CODES,
  UPSTREAM_ERROR_REASONS,
  UPSTREAM_REJECT_REASONS,
  WINDOW_BUSY_REASONS,
  WRITER_LOSS_REASONS,
  WRITER_TAKEOVER_REASONS,
  httpStatusReason,
} from "./codes";
export type {
  CloseCode,
  HistoryRole,
  HttpErrorCode,
  ProtocolErrorCode,
  ProtocolNoticeCode,
  ReferenceDropReason,
  ReferenceWithheldReason,
  ReplayOutcome,
  ResumeOutcome,
  SourceDownReason,
  TickRejectReason,
  UpgradeRefusalStatus,
  UpstreamErrorReason,
  UpstreamRejectReason,
  WindowBusyReason,
  WriterLossReason,
  WriterTakeoverReason,
} from "./codes";
export { ReferenceInputSchema, TickSchema, decodeTick, tickMsgId, validateTick } from "./tick";
export {
  DEFAULT_REFERENCE_SETTINGS,
  ReferenceBook,
  formReference,
  median,
  referenceInputSeq,
  referenceMemoryMs,
  referenceMsgId,
} from "./reference";
export type { Candidate, FormedReference, ReferenceOutcome, ReferenceSettings, StoredVenueTick } from "./reference";
export {
  EXCHANGE_VENUES,
  INDEX_SOURCE,
  LAST_RESORT_VENUE,
  TICKS_STREAM,
  VENUE_TICK_SUBJECT_PREFIX,
  VENUE_TICK_SUBJECTS,
  VENUES,
  coinbaseProductOf,
  krakenPairOf,
  venueTickSubject,
} from "./venues";
export type { ExchangeVenue, Venue } from "./venues";
export { MAX_TIME_MS, isTimeInRange, parseTimeBound } from "./time-bound";

export type { AssetMetadata } from "./asset-metadata";
export type { AssetMapping } from "./assets";
export type { BackoffOptions } from "./backoff";
export type {
  AuthenticatedMessage,
  CandlesResponse,
  ChangeWindow,
  ClientMessage,
  ErrorMessage,
  NoticeMessage,
  ErrorResponse,
  HelloMessage,
  HistoryResponse,
  PongMessage,
  ReplayEndMessage,
  ReplayMessage,
  ResetMessage,
  ServerMessage,
  SnapshotMessage,
  StatusMessage,
  SubscribedMessage,
  SymbolsResponse,
  TicksMessage,
  WireTick,
} from "./protocol";
export type { ReferenceInput, SequencedTick, Tick, TickValidation } from "./tick";
