export { startHistory } from "./app";
export { historyEnv, loadHistoryConfig } from "./config";
export { RecentTicks } from "./recent-ticks";
export { AssetsCache } from "./assets-cache";
export { historyRoutes } from "./routes";
export type { HistoryService } from "./app";
export { CandleStore } from "./candle-store";
export { candlesRoute } from "./candles-route";
export type { CandlesRouteDeps } from "./candles-route";
