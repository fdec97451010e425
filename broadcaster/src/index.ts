export { WEBSOCKET_PATH, startBroadcaster } from "./app";
export { broadcasterEnv, loadBroadcasterConfig } from "./config";
export { BroadcastHub } from "./hub";
export { followPrices } from "./price-feed";

export type { BroadcasterDeps, BroadcasterService } from "./app";
export type { BroadcasterConfig } from "./config";
export type { ClientSocket, HubOptions } from "./hub";
export type { PriceFeed, PriceFeedOptions } from "./price-feed";
