import { describe, expect, it } from "vitest";
import { TickSchema, decodeTick, tickMsgId, validateTick } from "./tick";

const good = { symbol: "btc", price: 98421.57, ts: 1763800000123, source: "binance", change24h: 1.6 };

describe("tick schema", () => {
  it("accepts a well-formed tick and keeps its optional fields", () => {
    expect(validateTick(good)).toEqual({ ok: true, tick: good, exact: true });
    expect(validateTick({ ...good, extra: 1 })).toEqual({ ok: true, tick: good, exact: false });
  });

  it.each([
    ["a zero price", { ...good, price: 0 }, "price"],
    ["a negative price", { ...good, price: -1 }, "price"],
    ["a string price", { ...good, price: "98421.57" }, "price"],
    ["an uppercase symbol", { ...good, symbol: "BTC" }, "symbol"],
    ["a timestamp in seconds", { ...good, ts: 1763800000 }, "ts"],
    ["a missing source", { symbol: "btc", price: 1, ts: good.ts }, "source"],
  ])("rejects %s and names the field", (_, value, field) => {
    const result = validateTick(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe("invalid_tick");
      expect(result.message).toContain(field);
    }
  });

  it("decodes a payload and refuses one on the wrong subject or not JSON", () => {
    expect(decodeTick(JSON.stringify(good), "btc").ok).toBe(true);
    expect(decodeTick(JSON.stringify(good), "eth")).toMatchObject({ ok: false, reason: "subject_mismatch" });
    expect(decodeTick('{"symbol":"btc",', "btc")).toMatchObject({ ok: false, reason: "malformed_json" });
  });

  it("builds one msg id per upstream event", () => {
    expect(tickMsgId(good)).toBe("binance:btc:1763800000123");
    expect(tickMsgId({ ...good, price: 1 })).toBe(tickMsgId(good));
    expect(tickMsgId({ ...good, ts: good.ts + 1 })).not.toBe(tickMsgId(good));
  });
});

describe("the fast path of validateTick", () => {
  it("agrees with the schema on thousands of mutated ticks", () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const oddValues = [undefined, null, 0, -1, 1.5, Number.NaN, Infinity, "", "btc", "BTC", "1", true, {}, [], 1_763_800_000_000, 1e-12];
    const fields = ["symbol", "price", "ts", "source", "change24h", "volume24h", "extra"];
    for (let i = 0; i < 5_000; i++) {
      const value: Record<string, unknown> = { ...good, volume24h: 1e9 };
      for (let j = 0; j < 1 + Math.floor(random() * 2); j++) {
        const field = fields[Math.floor(random() * fields.length)]!;
        if (random() < 0.2) delete value[field];
        else value[field] = oddValues[Math.floor(random() * oddValues.length)];
      }
      const fast = validateTick(value);
      const schema = TickSchema.safeParse(value);
      expect(fast.ok).toBe(schema.success);
      if (fast.ok && schema.success) expect(fast.tick).toEqual(schema.data);
    }
  });
});
