export { Admissions, signHs256, verifyHs256 } from "./admission";
export { MAX_CLIENT_FRAME_BYTES, WEBSOCKET_PATH, startBroadcaster } from "./app";
export { parseClientMessage } from "./client-message";
export { broadcasterEnv, loadBroadcasterConfig } from "./config";
export { openConnection } from "./connection";
export { BroadcastHub } from "./hub";
export { followPrices } from "./price-feed";
export { ClientSession, SLOW_CLIENT_CLOSE } from "./session";

export type { Admission, AdmissionPolicy } from "./admission";
export type { BroadcasterDeps, BroadcasterService } from "./app";
export type { ParsedClientMessage } from "./client-message";
export type { BroadcasterConfig } from "./config";
export type { ConnectionContext } from "./connection";
export type { HubOptions } from "./hub";
export type { PriceFeed, PriceFeedOptions } from "./price-feed";
export type { SessionEvents, SessionSocket, SlowClientLimits } from "./session";
