import { hostname } from "node:os";
import { commonEnv, duration, loadConfig, port, positiveInt, streamEnv, z, type Env } from "@cryptostream/core";

const list = z
  .string()
  .default("")
  .transform((text) => text.split(",").map((s) => s.trim()).filter(Boolean));
const flag = z.enum(["true", "false", "1", "0"]).default("false").transform((text) => text === "true" || text === "1");

export const broadcasterEnv = {
  ...commonEnv,
  ...streamEnv,
  BROADCASTER_PORT: port(8080),
  BROADCASTER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  SIMULATED: flag,
  MAX_CONNECTIONS: positiveInt(10_000),
  MAX_CONNECTIONS_PER_IP: positiveInt(50),
  ALLOWED_ORIGINS: list,
  AUTH_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  TRUST_PROXY: flag,
  HEARTBEAT_INTERVAL: duration("20s"),
  FLUSH_INTERVAL: duration("25ms"),
  CLIENT_MESSAGE_RATE: positiveInt(20),
  SEND_BUFFER_SOFT_LIMIT: positiveInt(256 * 1024),
  SEND_BUFFER_HARD_LIMIT: positiveInt(4 * 1024 * 1024),
  RESUME_MAX_TICKS: positiveInt(100_000),
};

export type BroadcasterConfig = ReturnType<typeof loadBroadcasterConfig>;

export function loadBroadcasterConfig(env: Env = process.env) {
  return loadConfig(broadcasterEnv, env);
}
