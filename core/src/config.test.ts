import { describe, expect, it } from "vitest";
import { TIMER_LIMIT_MS, commonEnv, duration, loadConfig, port, positiveInt, secret, symbolList } from "./config";
import { ConfigError } from "./errors";

const shape = { ...commonEnv, PORT: port(8080), SYMBOLS: symbolList("btc,eth"), MAX_AGE: duration("24h") };

describe("loadConfig", () => {
  it("applies defaults, treats empty variables as unset and freezes the result", () => {
    const config = loadConfig(shape, { PORT: "", SYMBOLS: "BTC, sol" });
    expect(config).toMatchObject({ PORT: 8080, SYMBOLS: ["btc", "sol"], MAX_AGE: 86_400_000, NATS_URL: "nats://127.0.0.1:4222" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT: ", '(got "eighty")'],
    [{ PORT: "70000" }, "PORT: ", '(got "70000")'],
    [{ SYMBOLS: "btc,$$$" }, "SYMBOLS: expected comma-separated lowercase symbols", '(got "btc,$$$")'],
    [{ MAX_AGE: "forever" }, "MAX_AGE: expected a duration", '(got "forever")'],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL: ", '(got "loud")'],
  ])("refuses %j with one line naming the variable", (env, start, got) => {
    try {
      loadConfig(shape, env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(start);
      expect(message).toContain(got);
      expect(message).not.toContain("\n");
    }
  });
});

describe("loadConfig's bounds", () => {
  const bounded = {
    ...commonEnv,
    HEARTBEAT: duration("20s", { min: 100, max: 600_000 }),
    TIMER: duration("1s"),
    COUNT: positiveInt(10, 1_000),
    AUTH_TOKEN: secret(16),
  };
  const problemOf = (env: Record<string, string>, checks: Parameters<typeof loadConfig<typeof bounded>>[2] = []) => {
    try {
      loadConfig(bounded, env, checks);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain("\n");
      return (error as Error).message;
    }
  };

  it.each([
    [{ HEARTBEAT: "0" }, "HEARTBEAT: must be from 100ms to 10m"],
    [{ HEARTBEAT: "25d" }, "HEARTBEAT: must be from 100ms to 10m"],
    [{ TIMER: "25d" }, "TIMER: must be from 1ms to 24.855d"],
    [{ TIMER: "0" }, "TIMER: must be from 1ms"],
    [{ COUNT: "0" }, "COUNT: must be at least 1"],
    [{ COUNT: "1001" }, "COUNT: must be at most 1000"],
    [{ COUNT: "1e9" }, "COUNT: must be at most 1000"],
    [{ COUNT: "2.5" }, "COUNT: must be a whole number"],
    [{ AUTH_TOKEN: "" }, "AUTH_TOKEN: is set but empty"],
    [{ AUTH_TOKEN: " ".repeat(20) }, "AUTH_TOKEN: must not contain whitespace"],
    [{ AUTH_TOKEN: "short" }, "AUTH_TOKEN: must be at least 16 characters"],
    [{ NATS_PASSWORD: "" }, "NATS_PASSWORD: is set but empty"],
  ])("refuses %j: %s", (env, expected) => {
    expect(problemOf(env)).toContain(expected);
  });

  it("accepts values at the bounds, and runs the checks across variables after", () => {
    expect(problemOf({ HEARTBEAT: "100ms", TIMER: String(TIMER_LIMIT_MS), COUNT: "1000", AUTH_TOKEN: "t".repeat(16) })).toBeUndefined();
    const check = (config: { COUNT: number }) => (config.COUNT > 5 ? { variable: "COUNT", message: "must be at most 5 here" } : undefined);
    expect(problemOf({ COUNT: "6" }, [check])).toBe('invalid configuration: COUNT: must be at most 5 here (got "6")');
  });
});
