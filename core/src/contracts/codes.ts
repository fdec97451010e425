/**
 * Every machine-readable code CryptoStream emits, once, typed: clients and dashboards match on
 * these, so each is a member of a fixed list (none is built from a string at run time), and the
 * tables of docs/codes.md are checked against these lists by a test (`codes.test.ts`).
 */

/** `code` of a WebSocket `error` message. */
export const PROTOCOL_ERROR_CODES = [
  "bad_json",
  "bad_request",
  "unknown_type",
  "unknown_symbol",
  "rate_limited",
  "replay_failed",
  "busy",
  "unauthorized",
  "token_expired",
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/** `code` of a WebSocket `notice` message: a request taken, with something the client should know. */
export const PROTOCOL_NOTICE_CODES = [
  /** Subscribed to well-formed symbols `PRICES` holds no tick of yet: kept, their ticks follow once there are any. */
  "unseen_symbols",
] as const;
export type ProtocolNoticeCode = (typeof PROTOCOL_NOTICE_CODES)[number];

/** WebSocket close codes the broadcaster uses: RFC 6455's, and from 4000 its own. */
export const CLOSE_CODES = {
  /** Shutdown: reconnect with `resume`. */
  goingAway: 1001,
  /** A binary frame. */
  unsupportedData: 1003,
  /** A flood, or a client too slow to drain. */
  policyViolation: 1008,
  /** A frame over 4 KiB. */
  messageTooBig: 1009,
  /** An unexpected error serving this client alone. */
  internalError: 1011,
  /** A resume that could not read the stream, or was refused as busy: come back later. */
  tryAgainLater: 1013,
  /** The connection's token expired. */
  tokenExpired: 4001,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** `error.code` of every HTTP error answer (`ErrorResponse`). */
export const HTTP_ERROR_CODES = [
  "invalid_symbol",
  "unknown_symbol",
  "invalid_symbols",
  "invalid_since",
  "invalid_until",
  "invalid_limit",
  "invalid_interval",
  "unknown_parameter",
  "repeated_parameter",
  "busy",
  "not_found",
  "method_not_allowed",
  "headers_too_large",
  "bad_request",
  "internal_error",
  // A refused WebSocket upgrade, by its status.
  "http_401",
  "http_403",
  "http_404",
  "http_429",
  "http_503",
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** Why a stored tick was refused by a reader of `PRICES` (`cryptostream_ticks_rejected_total{stage!="ingest"}`). */
export const TICK_REJECT_REASONS = ["malformed_json", "invalid_tick", "subject_mismatch"] as const;
export type TickRejectReason = (typeof TICK_REJECT_REASONS)[number];

/** Why ingest refused an upstream event (`cryptostream_ticks_rejected_total{stage="ingest"}`). */
export const UPSTREAM_REJECT_REASONS = [
  "malformed_json",
  "invalid_tick",
  "unknown_format",
  "invalid_event",
  "unknown_symbol",
  "future_timestamp",
  "old_timestamp",
  "out_of_order",
  "price_jump",
  "off_market",
  "unconfirmed",
] as const;
export type UpstreamRejectReason = (typeof UPSTREAM_REJECT_REASONS)[number];

/** Why an upstream request failed or a connection dropped (`cryptostream_ingest_upstream_errors_total`). */
export const UPSTREAM_ERROR_REASONS = [
  "timeout",
  "network",
  "http_429",
  "http_4xx",
  "http_5xx",
  "stale",
  "closed",
  "closed_abnormally",
  "connect_failed",
  "server_shutdown",
  "subscribe_failed",
  "sequence_gap",
] as const;
export type UpstreamErrorReason = (typeof UPSTREAM_ERROR_REASONS)[number];

/** Why an upstream source is `down`, in a status report and a `status` message. */
export const SOURCE_DOWN_REASONS = [
  /** No connection to it is open (WebSocket sources). */
  "disconnected",
  /** Connected, but nothing arrived within its stale timeout. */
  "silent",
  /** Its requests fail, or none succeeded lately (REST sources). */
  "failing",
  /** No ingest instance has reported on it lately (said by the broadcaster). */
  "unreported",
] as const;
export type SourceDownReason = (typeof SOURCE_DOWN_REASONS)[number];

/** Why a venue's last price was left out of a reference tick (`inputs[].dropped`). */
export const REFERENCE_DROP_REASONS = [
  /** Its last tick was stored longer ago than the stale limit before the input's. */
  "stale",
  /** Further than the allowed fraction from the median of the other fresh exchanges. */
  "outlier",
  /** The aggregator (CoinGecko), kept as the last resort while an exchange is fresh. */
  "last_resort",
] as const;
export type ReferenceDropReason = (typeof REFERENCE_DROP_REASONS)[number];

/** Why a venue tick made no reference tick (`cryptostream_reference_withheld_total{reason}`). */
export const REFERENCE_WITHHELD_REASONS = [
  /** Two fresh exchanges further apart than the allowed fraction, and no third to side with either. */
  "no_majority",
  /** No exchange fresh, and the last resort neither. */
  "no_fresh_venue",
  /** One venue alone, further than the allowed fraction from the other venues still remembered. */
  "unconfirmed",
] as const;
export type ReferenceWithheldReason = (typeof REFERENCE_WITHHELD_REASONS)[number];

/** The reason for an HTTP status an upstream answered with. */
export function httpStatusReason(status: number): UpstreamErrorReason {
  if (status === 429) return "http_429";
  return status >= 500 ? "http_5xx" : "http_4xx";
}

/** The refusal code of a WebSocket upgrade by its HTTP status. */
export const UPGRADE_REFUSAL_CODES = {
  401: "http_401",
  403: "http_403",
  404: "http_404",
  429: "http_429",
  503: "http_503",
} as const satisfies Record<number, HttpErrorCode>;
export type UpgradeRefusalStatus = keyof typeof UPGRADE_REFUSAL_CODES;

/** Why a read of a window of `PRICES` was refused (`cryptostream_history_window_reads_refused_total{reason}`, a 429's message). */
export const WINDOW_BUSY_REASONS = [
  /** This client address has as many reads running as it may. */
  "client_limit",
  /** The instance's reads are all running and its queue is full. */
  "queue_full",
  /** The read waited its longest for a slot. */
  "wait_timeout",
] as const;
export type WindowBusyReason = (typeof WINDOW_BUSY_REASONS)[number];

/** A history instance's part (`/healthz` `role`). */
export const HISTORY_ROLES = ["writer", "reader"] as const;
export type HistoryRole = (typeof HISTORY_ROLES)[number];

/** How a history instance took the writer lease (`cryptostream_history_writer_lease_taken_total{how}`, its log). */
export const WRITER_TAKEOVER_REASONS = [
  /** Free at this instance's first look. */
  "vacant",
  /** Free after a holder it had seen stopped renewing. */
  "expired",
  /** Given up by its holder. */
  "handed_over",
  /** Its own again after this process lost track of it while NATS was out of reach and nobody took it. */
  "renewed",
] as const;
export type WriterTakeoverReason = (typeof WRITER_TAKEOVER_REASONS)[number];

/** Why a history instance lost the writer lease (`cryptostream_history_writer_lease_lost_total{why}`). */
export const WRITER_LOSS_REASONS = [
  /** Not renewed in time (the process was paused, or NATS out of reach). */
  "expired",
  /** Another instance holds it. */
  "taken",
  /** Handed over on shutdown. */
  "shutdown",
] as const;
export type WriterLossReason = (typeof WRITER_LOSS_REASONS)[number];

/** How a client's resume ended (`cryptostream_broadcaster_resumes_total{outcome}`). */
export const RESUME_OUTCOMES = ["caught_up", "reset", "failed", "busy"] as const;
export type ResumeOutcome = (typeof RESUME_OUTCOMES)[number];

/** Whether a client's replay started (`cryptostream_broadcaster_replays_total{outcome}`). */
export const REPLAY_OUTCOMES = ["started", "busy"] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];
