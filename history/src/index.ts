export { startHistory } from "./app";
export { historyEnv, loadHistoryConfig } from "./config";
export { HistoryWindow } from "./history-window";
export { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
export { AssetsCache } from "./assets-cache";
export { historyRoutes } from "./routes";
export { tickStreamWriter } from "./ticks-stream";
export { DEFAULT_WINDOW_LIMIT, MAX_WINDOW_LIMIT, parseWindowQuery } from "./window-query";

export type { HistoryService } from "./app";
export type { HistoryConfig } from "./config";
export type { HistoryWriter, HistoryWriterOptions } from "./history-writer";
export type { HistoryRoutesDeps } from "./routes";
export type { TickStreamWriter } from "./ticks-stream";
export type { WindowQuery } from "./window-query";
