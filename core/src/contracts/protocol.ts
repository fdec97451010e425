import type { AssetMetadata } from "./asset-metadata";
import type { SequencedTick } from "./tick";

/** Version of the broadcaster's WebSocket protocol. */
export const PROTOCOL_VERSION = 1;

/** The latest tick of each symbol, sent once on connect. */
export interface SnapshotMessage {
  type: "snapshot";
  ticks: SequencedTick[];
}

/** Ticks that arrived since the previous message, in stream order. */
export interface TicksMessage {
  type: "ticks";
  ticks: SequencedTick[];
}

export type ServerMessage = SnapshotMessage | TicksMessage;

/** Body of `GET /api/history/:symbol`. */
export interface HistoryResponse {
  symbol: string;
  ticks: SequencedTick[];
}

/** Body of `GET /api/symbols`. */
export interface SymbolsResponse {
  symbols: { symbol: string; latest: SequencedTick; asset?: AssetMetadata }[];
}

/** Body of every HTTP error response. */
export interface ErrorResponse {
  error: { code: string; message: string };
}
