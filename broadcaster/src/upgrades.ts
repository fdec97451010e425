import type { Server } from "node:http";
import { UPGRADE_REFUSAL_CODES, endWithError, type UpgradeRefusalStatus } from "@cryptostream/core";
import { WebSocketServer, type WebSocket } from "ws";
import type { Admissions } from "./admission";
import type { FrameSink } from "./ws-frame";

export const WEBSOCKET_PATH = "/ws";
/** Largest client frame accepted; a larger one closes the connection with 1009. */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024;

export interface UpgradeHandlers {
  /** A connection was admitted and upgraded, on the TCP socket `wire`; `expiresAtMs` is when its token expires. */
  onOpen: (ws: WebSocket, wire: FrameSink, url: URL, ip: string, expiresAtMs: number | undefined) => void;
  onRefused: (status: UpgradeRefusalStatus) => void;
}

/**
 * Takes WebSocket upgrades on `/ws` that `admissions` admits, refusing the rest before the
 * handshake with a JSON error; `stop` refuses every later one with 503.
 */
export function acceptUpgrades(server: Server, admissions: Admissions, handlers: UpgradeHandlers): { stop(): void } {
  let accepting = true;
  // No compression: sessions write pre-framed messages straight to the socket (see ClientSession).
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const refuse = (status: UpgradeRefusalStatus, reason: string) => {
      handlers.onRefused(status);
      endWithError(socket, status, reason, UPGRADE_REFUSAL_CODES[status], reason);
    };
    if (url.pathname !== WEBSOCKET_PATH) return refuse(404, "Not Found");
    if (!accepting) return refuse(503, "shutting down");
    const admission = admissions.admit(req, url);
    if (!admission.ok) return refuse(admission.status, admission.reason);
    // Opened apart from this handler, so an open connection holds on to nothing of its handshake.
    wss.handleUpgrade(req, socket, head, (ws) => handlers.onOpen(ws, socket, url, admission.ip, admission.expiresAtMs));
  });
  return {
    stop() {
      accepting = false;
      wss.close();
    },
  };
}
