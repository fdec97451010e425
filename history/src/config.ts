import { commonEnv, loadConfig, port, streamEnv, z, type Env } from "@cryptostream/core";

export const historyEnv = {
  ...commonEnv,
  ...streamEnv,
  HISTORY_PORT: port(8081),
  HISTORY_DURABLE: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a consumer name").default("history"),
};

export type HistoryConfig = ReturnType<typeof loadHistoryConfig>;

export function loadHistoryConfig(env: Env = process.env) {
  return loadConfig(historyEnv, env);
}
