import { FakeClock } from "@cryptostream/testing";
import { describe, expect, it } from "vitest";
import { ConnectionBudget } from "./connection-budget";

describe("ConnectionBudget", () => {
  it("allows the limit per window, then says how long until the oldest attempt leaves it", () => {
    const clock = new FakeClock(0);
    const budget = new ConnectionBudget(3, 1_000, clock);
    expect([budget.take(), budget.take(), budget.take()].every((r) => r.ok)).toBe(true);
    clock.advance(400);
    expect(budget.take()).toEqual({ ok: false, waitMs: 600 });
    clock.advance(600);
    expect([budget.take(), budget.take(), budget.take()].every((r) => r.ok)).toBe(true);
    clock.advance(250);
    expect(budget.take()).toEqual({ ok: false, waitMs: 750 });
  });
});
