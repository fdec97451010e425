import { describe, expect, it } from "vitest";
import { commonEnv, duration, loadConfig, port, symbolList } from "./config";
import { ConfigError } from "./errors";

const shape = { ...commonEnv, PORT: port(8080), SYMBOLS: symbolList("btc,eth"), MAX_AGE: duration("24h") };

describe("loadConfig", () => {
  it("applies defaults, treats empty variables as unset and freezes the result", () => {
    const config = loadConfig(shape, { PORT: "", SYMBOLS: "BTC, sol" });
    expect(config).toMatchObject({ PORT: 8080, SYMBOLS: ["btc", "sol"], MAX_AGE: 86_400_000, NATS_URL: "nats://127.0.0.1:4222" });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{ PORT: "eighty" }, 'PORT: ', '(got "eighty")'],
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
