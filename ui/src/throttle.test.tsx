import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useThrottled } from "./throttle";

describe("useThrottled", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes the first value at once, then at most one value per interval, ending on the latest", () => {
    const { result, rerender } = renderHook(({ value }) => useThrottled(value, 1_000), { initialProps: { value: 1 } });
    expect(result.current).toBe(1);
    rerender({ value: 2 });
    rerender({ value: 3 });
    expect(result.current).toBe(1);
    act(() => vi.advanceTimersByTime(999));
    expect(result.current).toBe(1);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe(3);
    rerender({ value: 4 });
    expect(result.current).toBe(3);
    act(() => vi.advanceTimersByTime(1_000));
    expect(result.current).toBe(4);
  });

  it("spreads the intervals of many callers with jitter", () => {
    const draws = [0, 1];
    const hooks = draws.map((draw) =>
      renderHook(({ value }) => useThrottled(value, 1_000, { jitter: 0.5, random: () => draw }), { initialProps: { value: 1 } }),
    );
    hooks.forEach(({ rerender }) => rerender({ value: 2 }));
    act(() => vi.advanceTimersByTime(750));
    expect(hooks.map(({ result }) => result.current)).toEqual([2, 1]);
    act(() => vi.advanceTimersByTime(500));
    expect(hooks.map(({ result }) => result.current)).toEqual([2, 2]);
  });
});
