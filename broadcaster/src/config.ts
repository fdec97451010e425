import { commonEnv, loadConfig, port, streamEnv, type Env } from "@cryptostream/core";

export const broadcasterEnv = {
  ...commonEnv,
  ...streamEnv,
  BROADCASTER_PORT: port(8080),
};

export type BroadcasterConfig = ReturnType<typeof loadBroadcasterConfig>;

export function loadBroadcasterConfig(env: Env = process.env) {
  return loadConfig(broadcasterEnv, env);
}
