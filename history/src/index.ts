export { startHistory } from "./app";
export { historyEnv, loadHistoryConfig } from "./config";
export { HistoryWindow } from "./history-window";
export { loadWindowFromBucket, startHistoryWriter } from "./history-writer";
export { historyRoutes } from "./routes";

export type { HistoryService } from "./app";
export type { HistoryConfig } from "./config";
export type { HistoryWriter, HistoryWriterOptions } from "./history-writer";
