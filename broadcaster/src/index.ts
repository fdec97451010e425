export { startBroadcaster } from "./app";
export { broadcasterEnv, loadBroadcasterConfig } from "./config";
export { followPrices } from "./price-feed";
export type { BroadcasterService } from "./app";
export { textFrame } from "./ws-frame";
