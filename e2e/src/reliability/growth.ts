/** One reading of a process's resources. */
export interface ResourceSample {
  atMs: number;
  rssBytes: number;
  fds: number;
}

export interface GrowthVerdict {
  /** Highest reading of the first half of the run (warm-up included). */
  rssBaseline: number;
  /** Median of the last quarter of the run. */
  rssEnd: number;
  rssMax: number;
  fdsBaseline: number;
  fdsEnd: number;
  grows: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Whether a process keeps growing: the median of the last quarter of the run
 * against the highest reading of its first half. V8's heap rises and falls over
 * minutes, so a last reading above an early one means nothing; a leak is a
 * process that ends above everything it needed before.
 */
export function judgeGrowth(samples: readonly ResourceSample[], limits = { rssFraction: 0.1, rssBytes: 16 * 1024 * 1024, fds: 4 }): GrowthVerdict {
  const firstHalf = samples.slice(0, Math.max(1, Math.floor(samples.length / 2)));
  const lastQuarter = samples.slice(-Math.max(1, Math.floor(samples.length / 4)));
  const rssBaseline = Math.max(0, ...firstHalf.map((s) => s.rssBytes));
  const rssEnd = median(lastQuarter.map((s) => s.rssBytes));
  const fdsBaseline = Math.max(0, ...firstHalf.map((s) => s.fds));
  const fdsEnd = median(lastQuarter.map((s) => s.fds));
  return {
    rssBaseline,
    rssEnd,
    rssMax: Math.max(0, ...samples.map((s) => s.rssBytes)),
    fdsBaseline,
    fdsEnd,
    grows: rssEnd - rssBaseline > Math.max(rssBaseline * limits.rssFraction, limits.rssBytes) || fdsEnd - fdsBaseline > limits.fds,
  };
}
