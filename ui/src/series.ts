import { HISTORY_DEPTH, type SequencedTick } from "@cryptostream/core/contracts";

/** Fetched history followed by the live ticks it does not have yet, at most `depth`. */
export function mergeSeries(history: readonly SequencedTick[], live: readonly SequencedTick[], depth = HISTORY_DEPTH): SequencedTick[] {
  const lastSeq = history[history.length - 1]?.seq ?? 0;
  const merged = [...history, ...live.filter((tick) => tick.seq > lastSeq)];
  return merged.length > depth ? merged.slice(-depth) : merged;
}
