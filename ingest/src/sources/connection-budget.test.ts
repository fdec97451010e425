import { describe, expect, it } from "vitest";
import { ConnectionBudget } from "./connection-budget";

describe("ConnectionBudget", () => {
  it("allows the limit per window, then says how long until the oldest attempt leaves it", () => {
    let now = 0;
    const budget = new ConnectionBudget(3, 1_000, () => now);
    expect([budget.take(), budget.take(), budget.take()].every((r) => r.ok)).toBe(true);
    now = 400;
    expect(budget.take()).toEqual({ ok: false, waitMs: 600 });
    now = 1_000;
    expect([budget.take(), budget.take(), budget.take()].every((r) => r.ok)).toBe(true);
    now = 1_250;
    expect(budget.take()).toEqual({ ok: false, waitMs: 750 });
  });
});
