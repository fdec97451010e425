import { z } from "zod";
import { parseDuration } from "./contracts/duration";
import { isValidSymbol } from "./contracts/names";
import { ConfigError } from "./errors";

export type Env = Record<string, string | undefined>;

/** A TCP port; 0 asks the OS for a free one. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A duration such as `500ms`, `30s`, `24h`, or a number of milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "expected a duration such as 30s or 24h" });
        return z.NEVER;
      }
      return ms;
    });

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A comma-separated list of symbols: `btc,eth,sol`. */
export const symbolList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const symbols = [...new Set(text.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean))];
      const bad = symbols.filter((symbol) => !isValidSymbol(symbol));
      if (symbols.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: "custom", message: "expected comma-separated lowercase symbols such as btc,eth" });
        return z.NEVER;
      }
      return symbols;
    });

/** Variables every service reads: NATS connection and logging. */
export const commonEnv = {
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};

/** Settings of the PRICES stream, shared by every service since any of them may create it. */
export const streamEnv = {
  PRICES_MAX_AGE: duration("24h"),
  PRICES_MAX_PER_SUBJECT: positiveInt(100_000),
  PRICES_DUPLICATE_WINDOW: duration("2m"),
  /** Copies of the stream and the buckets: 1 on one server, 3 on the cluster. */
  JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

/**
 * Parses the environment once against a schema and freezes the result.
 * Empty variables count as unset. A bad value throws a {@link ConfigError} whose
 * message is one line naming each bad variable.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Env = process.env,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = z.object(shape).safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = present[name];
      return `${name}: ${issue.message}${value === undefined ? "" : ` (got "${value}")`}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  return Object.freeze(result.data);
}
