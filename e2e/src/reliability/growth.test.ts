import { describe, expect, it } from "vitest";
import { judgeGrowth, type ResourceSample } from "./growth";

const MB = 1024 * 1024;
const series = (rssMb: (i: number) => number, fds: (i: number) => number = () => 30): ResourceSample[] =>
  Array.from({ length: 20 }, (_, i) => ({ atMs: i * 1_000, rssBytes: rssMb(i) * MB, fds: fds(i) }));

describe("judging growth", () => {
  it("lets memory that rises and falls with garbage collection be, even when it ends above where it was early on", () => {
    const sawtooth = series((i) => 100 + (i % 8) * 4);
    expect(judgeGrowth(sawtooth)).toMatchObject({ grows: false, rssBaseline: 128 * MB, rssMax: 128 * MB });
  });

  it("calls a steady climb of memory growth", () => {
    expect(judgeGrowth(series((i) => 100 + i * 5)).grows).toBe(true);
  });

  it("calls file descriptors that keep opening growth", () => {
    expect(
      judgeGrowth(
        series(
          () => 100,
          (i) => 30 + i,
        ),
      ).grows,
    ).toBe(true);
  });
});
