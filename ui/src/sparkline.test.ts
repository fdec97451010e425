import { describe, expect, it } from "vitest";
import { sparklinePoints } from "./sparkline";

const points = (text: string) => text.split(" ").map((pair) => pair.split(",").map(Number));

describe("sparklinePoints", () => {
  it("spans the width, with the lowest price at the bottom and the highest at the top", () => {
    expect(points(sparklinePoints([10, 30, 20], 100, 40))).toEqual([
      [0, 38],
      [50, 2],
      [100, 20],
    ]);
  });

  it("draws a flat series across the middle and nothing for fewer than two prices", () => {
    expect(points(sparklinePoints([5, 5, 5, 5], 90, 40))).toEqual([
      [0, 20],
      [30, 20],
      [60, 20],
      [90, 20],
    ]);
    expect(sparklinePoints([42])).toBe("");
    expect(sparklinePoints([])).toBe("");
  });

  it("keeps the shape of tiny moves on a large price", () => {
    const ys = points(sparklinePoints([98_421.57, 98_421.58, 98_421.56])).map(([, y]) => y);
    expect(ys[1]).toBeLessThan(ys[0]!);
    expect(ys[2]).toBeGreaterThan(ys[0]!);
  });
});
