export { startHistory } from "./app";
export { historyEnv, loadHistoryConfig } from "./config";
export { RecentTicks } from "./recent-ticks";
export { AssetsCache } from "./assets-cache";
export { historyRoutes } from "./routes";
export type { HistoryService } from "./app";
