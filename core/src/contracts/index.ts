export {
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

export type { SequencedTick, Tick, TickRejectReason, TickValidation } from "./tick";
export type {
  ErrorResponse,
  HistoryResponse,
  ServerMessage,
  SnapshotMessage,
  SymbolsResponse,
  TicksMessage,
} from "./protocol";
