import { z } from "zod";
import { parseDuration } from "./contracts/duration";
import { isValidSymbol } from "./contracts/names";
import { parseTrustedProxies } from "./client-address";
import { ConfigError } from "./errors";

export type Env = Record<string, string | undefined>;

/** A TCP port; 0 asks the OS for a free one. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** The longest delay a Node.js timer takes (2^31 - 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const TIMER_LIMIT_MS = 2_147_483_647;

export interface DurationBounds {
  /** Shortest accepted, in ms; default 1. */
  min?: number;
  /** Longest accepted, in ms; default {@link TIMER_LIMIT_MS}, since most durations end up in a timer. */
  max?: number;
}

/** Writes a duration in ms the way people do: `24h`, `1.5s`, `250ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size) return `${Number((ms / size).toFixed(3))}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration such as `500ms`, `30s`, `24h`, or a number of milliseconds, within bounds. */
export const duration = (fallback: string, { min = 1, max = TIMER_LIMIT_MS }: DurationBounds = {}) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: "expected a duration such as 30s or 24h" });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: "custom", message: `must be from ${formatDuration(min)} to ${formatDuration(max)}` });
        return z.NEVER;
      }
      return ms;
    });

/** A whole number from 1 to `max`: a bound that a real deployment could mean. */
export const positiveInt = (fallback: number, max: number) =>
  z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(max, `must be at most ${max}`).default(fallback);

/** A secret or a name that must not be empty or hold whitespace (a token of spaces is a mistake, not a token). */
export const secret = (minLength: number) =>
  z.string().min(minLength, `must be at least ${minLength} characters`).regex(/^\S+$/, "must not contain whitespace").optional();

/** A comma-separated list of symbols: `btc,eth,sol`. */
export const symbolList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const symbols = [
        ...new Set(
          text
            .split(",")
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ),
      ];
      const bad = symbols.filter((symbol) => !isValidSymbol(symbol));
      if (symbols.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: "custom", message: "expected comma-separated lowercase symbols such as btc,eth" });
        return z.NEVER;
      }
      return symbols;
    });

/** `TRUST_PROXY`: `false`, a hop count (`true` is one hop), or a comma-separated list of proxy addresses and CIDR ranges. */
export const trustedProxies = () =>
  z
    .string()
    .default("false")
    .transform((text, ctx) => {
      const parsed = parseTrustedProxies(text);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }
      return parsed;
    });

/** Variables every service reads: NATS connection and logging. */
export const commonEnv = {
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  NATS_USER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "must be a NATS user name (letters, digits, _ and -)")
    .optional(),
  NATS_PASSWORD: secret(1),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};

/** Settings of the PRICES stream, shared by every service since any of them may create it. */
export const streamEnv = {
  PRICES_MAX_AGE: duration("24h", { min: 60_000, max: 365 * 86_400_000 }),
  PRICES_MAX_PER_SUBJECT: positiveInt(100_000, 100_000_000),
  PRICES_DUPLICATE_WINDOW: duration("2m", { min: 1_000, max: 86_400_000 }),
  /** Lets a service shrink PRICES' retention below what the stream has: a deliberate act, never a default. */
  PRICES_ALLOW_SHRINK: z
    .enum(["true", "false"])
    .default("false")
    .transform((text) => text === "true"),
  /** Copies of the stream and the buckets: 1 on one server, 3 on the cluster. */
  JETSTREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
};

/**
 * How the reference price is formed: the same on every ingest replica and wherever it is
 * recomputed (a difference would make replicas publish different ticks under one msg id).
 */
export const referenceEnv = {
  REFERENCE_STALE_AFTER: duration("15s", { min: 100, max: 3_600_000 }),
  REFERENCE_LAST_RESORT_STALE_AFTER: duration("90s", { min: 100, max: 3_600_000 }),
  REFERENCE_MAX_DEVIATION: z.coerce.number().positive().max(1, "must be a fraction, at most 1 (100%)").default(0.02),
  REFERENCE_MAX_LONE_DEVIATION: z.coerce.number().positive().max(1, "must be a fraction, at most 1 (100%)").default(0.1),
};

export function referenceSettings(config: {
  REFERENCE_STALE_AFTER: number;
  REFERENCE_LAST_RESORT_STALE_AFTER: number;
  REFERENCE_MAX_DEVIATION: number;
  REFERENCE_MAX_LONE_DEVIATION: number;
}) {
  return {
    staleAfterMs: config.REFERENCE_STALE_AFTER,
    lastResortStaleAfterMs: config.REFERENCE_LAST_RESORT_STALE_AFTER,
    maxDeviation: config.REFERENCE_MAX_DEVIATION,
    maxLoneDeviation: config.REFERENCE_MAX_LONE_DEVIATION,
  };
}

/**
 * Variables where an empty value is an error rather than unset: clearing one of them by
 * accident (`AUTH_TOKEN=`) must not silently turn a protection off.
 */
const MUST_NOT_BE_EMPTY = new Set(["NATS_USER", "NATS_PASSWORD", "AUTH_TOKEN", "AUTH_JWT_SECRET", "AUTH_JWT_AUDIENCE", "AUTH_JWT_ISSUER"]);

/** A check across variables: the variable to name and what is wrong, or undefined when all is well. */
export type ConfigCheck<Config> = (config: Config) => { variable: string; message: string } | undefined;

/**
 * Parses the environment once against a schema, runs the checks across variables and
 * freezes the result. Empty variables count as unset, but for those in
 * {@link MUST_NOT_BE_EMPTY}. A bad value throws a {@link ConfigError} whose message is
 * one line naming each bad variable.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Env = process.env,
  checks: ConfigCheck<z.infer<z.ZodObject<Shape>>>[] = [],
): Readonly<z.infer<z.ZodObject<Shape>>> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const emptied = Object.keys(shape).filter((name) => MUST_NOT_BE_EMPTY.has(name) && env[name] === "");
  const result = z.object(shape).safeParse(present);
  const problems = emptied.map((name) => `${name}: is set but empty; unset it to leave it off`);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]);
      const value = present[name];
      problems.push(`${name}: ${issue.message}${value === undefined ? "" : ` (got "${value}")`}`);
    }
  } else {
    for (const check of checks) {
      const problem = check(result.data);
      if (problem) problems.push(`${problem.variable}: ${problem.message} (got "${present[problem.variable] ?? "the default"}")`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  return Object.freeze(result!.data!);
}
