export { DEFAULT_ASSETS, assetFor } from "./assets";
export { backoffDelay } from "./backoff";
export { parseDuration } from "./duration";
export {
  ASSETS_BUCKET,
  HISTORY_DEPTH,
  PRICE_HISTORY_BUCKET,
  PRICE_SUBJECT_PREFIX,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  SYMBOL_PATTERN,
  isValidSymbol,
  priceSubject,
  symbolFromSubject,
} from "./names";
export {
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL_ERROR,
  CLOSE_MESSAGE_TOO_BIG,
  CLOSE_POLICY_VIOLATION,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_TRY_AGAIN_LATER,
  CLOSE_UNSUPPORTED_DATA,
  PROTOCOL_VERSION,
} from "./protocol";
export { TickSchema, decodeTick, tickMsgId, validateTick } from "./tick";
export { MAX_TIME_MS, isTimeInRange, parseTimeBound } from "./time-bound";

export type { AssetMetadata } from "./asset-metadata";
export type { AssetMapping } from "./assets";
export type { BackoffOptions } from "./backoff";
export type {
  AuthenticatedMessage,
  ClientMessage,
  ErrorMessage,
  ErrorResponse,
  HelloMessage,
  HistoryResponse,
  PongMessage,
  ProtocolErrorCode,
  ReplayEndMessage,
  ReplayMessage,
  ResetMessage,
  ServerMessage,
  SnapshotMessage,
  SubscribedMessage,
  SymbolsResponse,
  TicksMessage,
  WireTick,
} from "./protocol";
export type { SequencedTick, Tick, TickRejectReason, TickValidation } from "./tick";
