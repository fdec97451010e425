import type { Candle, CandleInterval } from "./candles";
import type { AssetMetadata } from "./asset-metadata";
import type { HttpErrorCode, ProtocolErrorCode, ProtocolNoticeCode } from "./codes";
import type { StatusReport } from "./status";
import type { SequencedTick } from "./tick";

/** Version of the broadcaster's WebSocket protocol, sent in `hello`. */
export const PROTOCOL_VERSION = 1;

/** A tick as the broadcaster sends it; `conflated` when a slow client got only the latest of its symbol. */
export type WireTick = SequencedTick & { conflated?: true };

/** First message on every connection. */
export interface HelloMessage {
  type: "hello";
  version: number;
  serverId: string;
  /** Every symbol the server has seen. */
  symbols: string[];
  /** True when the prices come from the simulated exchange. */
  simulated: boolean;
  /**
   * The `PRICES` stream the seqs belong to: its creation time. A stream deleted and made again
   * starts its seqs over, so a client resumes with the epoch beside its last seq.
   */
  epoch: string;
  /** Stale symbols (of those the connection subscribes to) and every source reported on, now. */
  status: StatusReport;
}

/** A change in what the data is worth: symbols gone stale or fresh again, sources gone down or back up. */
export interface StatusMessage {
  type: "status";
  /** Only what changed; either may be empty. */
  symbols: StatusReport["symbols"];
  sources: StatusReport["sources"];
  /** Reference prices (of the subscribed symbols) that changed standing: a venue left out or back, a price withheld or formed again. Absent when none did. */
  references?: StatusReport["references"];
}

/** The latest tick of each subscribed symbol: on connect, after `reset`, and after `subscribe`. */
export interface SnapshotMessage {
  type: "snapshot";
  ticks: WireTick[];
}

/** Ticks that arrived since the previous message, in stream order. */
export interface TicksMessage {
  type: "ticks";
  ticks: WireTick[];
}

export interface SubscribedMessage {
  type: "subscribed";
  symbols: string[];
  /** The connection's throttle in ms, when it has one. */
  throttle?: number;
}

/** The resume point is older than the stream keeps: a fresh snapshot follows. */
export interface ResetMessage {
  type: "reset";
  /** The epoch of the stream the snapshot after it belongs to (see `HelloMessage.epoch`). */
  epoch: string;
}

/** One page of a replayed window. */
export interface ReplayMessage {
  type: "replay";
  ticks: SequencedTick[];
}

export interface ReplayEndMessage {
  type: "replay_end";
  count: number;
}

export interface PongMessage {
  type: "pong";
  ts: number;
}

/** Answer to an `auth` message whose token admits: the connection now lives until `expiresAt` (ms), or for good when null. */
export interface AuthenticatedMessage {
  type: "authenticated";
  expiresAt: number | null;
}

export interface ErrorMessage {
  type: "error";
  code: ProtocolErrorCode;
  message: string;
}

/** Something a client should know about a request it made that was taken, not refused (`code`: see `PROTOCOL_NOTICE_CODES`). */
export interface NoticeMessage {
  type: "notice";
  code: ProtocolNoticeCode;
  message: string;
  /** The symbols it is about. */
  symbols?: string[];
}

export type ServerMessage =
  | HelloMessage
  | NoticeMessage
  | SnapshotMessage
  | TicksMessage
  | SubscribedMessage
  | ResetMessage
  | StatusMessage
  | ReplayMessage
  | ReplayEndMessage
  | PongMessage
  | AuthenticatedMessage
  | ErrorMessage;

/** Messages a client may send. */
export type ClientMessage =
  | {
      type: "subscribe";
      symbols: string[];
      /** At most one message per interval: a duration such as `250ms` or `1s`, or ms, from 100 ms to 60 s; `0` turns it off. */
      throttle?: string | number;
    }
  | { type: "unsubscribe"; symbols: string[] }
  | { type: "resume"; seq: number; epoch?: string }
  | { type: "replay"; since: number | string; symbols?: string[] }
  | { type: "ping" }
  | { type: "auth"; token: string };

/** Body of `GET /api/history/:symbol`. */
export interface HistoryResponse {
  symbol: string;
  ticks: SequencedTick[];
}

/** Windows of the price change `GET /api/symbols` gives, from the candles. */
export type ChangeWindow = "1h" | "24h" | "7d";

/** Body of `GET /api/symbols`. */
export interface SymbolsResponse {
  symbols: {
    symbol: string;
    latest: SequencedTick;
    asset?: AssetMetadata;
    /** Percent change of the latest price against the close of the last bar that ended a window before it; absent without candles that old. */
    changes?: Partial<Record<ChangeWindow, number>>;
  }[];
}

/** Body of `GET /api/candles/:symbol`: closed candles oldest first, and the one forming. */
export interface CandlesResponse {
  symbol: string;
  interval: CandleInterval;
  candles: Candle[];
  forming: Candle | null;
}

/** Body of every HTTP error response. */
export interface ErrorResponse {
  error: { code: HttpErrorCode; message: string };
}
