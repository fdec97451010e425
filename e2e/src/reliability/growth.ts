/** One reading of a process's resources. */
export interface ResourceSample {
  atMs: number;
  rssBytes: number;
  fds: number;
}

export interface GrowthVerdict {
  /** Median over the first quarter of the samples after warm-up, and over the last quarter. */
  rssWarm: number;
  rssEnd: number;
  rssMax: number;
  fdsWarm: number;
  fdsEnd: number;
  grows: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Whether a process keeps growing once warm: the median RSS of the last quarter
 * against that of the first quarter after warm-up (medians, so one GC or one
 * burst does not decide), and the same for open file descriptors.
 */
export function judgeGrowth(samples: readonly ResourceSample[], limits = { rssFraction: 0.15, rssBytes: 16 * 1024 * 1024, fds: 4 }): GrowthVerdict {
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const first = samples.slice(0, quarter);
  const last = samples.slice(-quarter);
  const rssWarm = median(first.map((s) => s.rssBytes));
  const rssEnd = median(last.map((s) => s.rssBytes));
  const fdsWarm = median(first.map((s) => s.fds));
  const fdsEnd = median(last.map((s) => s.fds));
  const rssAllowance = Math.max(rssWarm * limits.rssFraction, limits.rssBytes);
  return {
    rssWarm,
    rssEnd,
    rssMax: Math.max(0, ...samples.map((s) => s.rssBytes)),
    fdsWarm,
    fdsEnd,
    grows: rssEnd - rssWarm > rssAllowance || fdsEnd - fdsWarm > limits.fds,
  };
}
