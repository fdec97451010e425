import type { CandleInterval, ChangeWindow, SequencedTick } from "@cryptostream/core";
import type { CandleStore } from "./candle-store";

/** Each change window, and the bars it is measured on: fine enough for the window, few enough to keep. */
const WINDOWS: readonly { window: ChangeWindow; lengthMs: number; interval: CandleInterval }[] = [
  { window: "1h", lengthMs: 3_600_000, interval: "1m" },
  { window: "24h", lengthMs: 86_400_000, interval: "5m" },
  { window: "7d", lengthMs: 7 * 86_400_000, interval: "1h" },
];

/**
 * Percent change of `latest` over each window: against the close of the last bar that ended at or
 * before the window's start (measured from the tick's own time, not the clock). A window with no
 * bar that old, or whose last bar before its start ended more than a tenth of the window earlier
 * (a gap in the data: its close is not the price at the start), is left out.
 */
export function priceChanges(latest: SequencedTick, store: CandleStore): Partial<Record<ChangeWindow, number>> {
  const changes: Partial<Record<ChangeWindow, number>> = {};
  for (const { window, lengthMs, interval } of WINDOWS) {
    const start = latest.ts - lengthMs;
    const before = store.closeAt(interval, latest.symbol, start, start - lengthMs / 10);
    if (before !== undefined) changes[window] = (latest.price / before - 1) * 100;
  }
  return changes;
}
