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
export { TickSchema, decodeTick, tickMsgId, validateTick } from "./tick";
export { PROTOCOL_VERSION } from "./protocol";
export { parseDuration } from "./duration";
export { parseTimeBound } from "./time-bound";
export { backoffDelay } from "./backoff";
export { DEFAULT_ASSETS, assetFor } from "./assets";

export type { AssetMapping } from "./assets";
export type { AssetMetadata } from "./asset-metadata";
export type { BackoffOptions } from "./backoff";
export type { SequencedTick, Tick, TickRejectReason, TickValidation } from "./tick";
export type {
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
