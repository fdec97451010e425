import { hostname } from "node:os";
import { commonEnv, duration, loadConfig, port, positiveInt, secret, streamEnv, trustedProxies, windowReadsEnv, z, type Env } from "@cryptostream/core";

const list = z
  .string()
  .default("")
  .transform((text) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
const flag = z
  .enum(["true", "false", "1", "0"])
  .default("false")
  .transform((text) => text === "true" || text === "1");

export const broadcasterEnv = {
  ...commonEnv,
  ...streamEnv,
  BROADCASTER_PORT: port(8080),
  BROADCASTER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  SIMULATED: flag,
  MAX_CONNECTIONS: positiveInt(10_000, 1_000_000),
  MAX_CONNECTIONS_PER_IP: positiveInt(50, 1_000_000),
  ALLOWED_ORIGINS: list,
  AUTH_TOKEN: secret(16),
  AUTH_JWT_SECRET: secret(32),
  /** When set, a JWT must carry this `aud` (or list it). */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** When set, a JWT must carry this `iss`. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  TRUST_PROXY: trustedProxies(),
  HEARTBEAT_INTERVAL: duration("20s", { min: 100, max: 600_000 }),
  /** A symbol with no tick stored for this long is reported stale. */
  STALE_AFTER: duration("60s", { min: 1_000, max: 86_400_000 }),
  /** 0 flushes on the next turn of the event loop. */
  FLUSH_INTERVAL: duration("25ms", { min: 0, max: 1_000 }),
  CLIENT_MESSAGE_RATE: positiveInt(20, 1_000),
  SEND_BUFFER_SOFT_LIMIT: positiveInt(256 * 1024, 256 * 1024 * 1024),
  SEND_BUFFER_HARD_LIMIT: positiveInt(4 * 1024 * 1024, 1024 * 1024 * 1024),
  /** A client whose socket stays over the soft limit this long while a replay or resume waits for it is closed. */
  SEND_TIMEOUT: duration("30s", { min: 100, max: 600_000 }),
  RESUME_MAX_TICKS: positiveInt(100_000, 10_000_000),
  /** Window reads (replay, resume): at most 4 at once, 4 for the clients of one address, 256 waiting, each waiting 15 s at most; a client has one at a time. */
  ...windowReadsEnv({ max: 4, perIp: 4, queue: 256, wait: "15s" }),
};

export type BroadcasterConfig = ReturnType<typeof loadBroadcasterConfig>;

export function loadBroadcasterConfig(env: Env = process.env) {
  return loadConfig(broadcasterEnv, env, [
    (config) =>
      config.SEND_BUFFER_SOFT_LIMIT < config.SEND_BUFFER_HARD_LIMIT
        ? undefined
        : { variable: "SEND_BUFFER_SOFT_LIMIT", message: `must be below SEND_BUFFER_HARD_LIMIT (${config.SEND_BUFFER_HARD_LIMIT})` },
    (config) =>
      config.MAX_CONNECTIONS_PER_IP <= config.MAX_CONNECTIONS
        ? undefined
        : { variable: "MAX_CONNECTIONS_PER_IP", message: `must not exceed MAX_CONNECTIONS (${config.MAX_CONNECTIONS})` },
    (config) =>
      (config.AUTH_JWT_AUDIENCE === undefined && config.AUTH_JWT_ISSUER === undefined) || config.AUTH_JWT_SECRET !== undefined
        ? undefined
        : { variable: config.AUTH_JWT_AUDIENCE !== undefined ? "AUTH_JWT_AUDIENCE" : "AUTH_JWT_ISSUER", message: "needs AUTH_JWT_SECRET" },
  ]);
}
