import { HISTORY_DEPTH, type SequencedTick } from "@cryptostream/core";

/** The last {@link HISTORY_DEPTH} ticks of each symbol, in memory, oldest first. */
export class RecentTicks {
  private readonly bySymbol = new Map<string, SequencedTick[]>();

  constructor(private readonly depth = HISTORY_DEPTH) {}

  /** Adds a tick unless one with the same or a later seq is already there; says whether it did. */
  append(tick: SequencedTick): boolean {
    const ticks = this.bySymbol.get(tick.symbol) ?? [];
    if (ticks.length > 0 && tick.seq <= ticks[ticks.length - 1]!.seq) return false;
    ticks.push(tick);
    if (ticks.length > this.depth) ticks.splice(0, ticks.length - this.depth);
    this.bySymbol.set(tick.symbol, ticks);
    return true;
  }

  ticks(symbol: string): readonly SequencedTick[] | undefined {
    return this.bySymbol.get(symbol);
  }

  lastSeq(symbol: string): number {
    const ticks = this.bySymbol.get(symbol);
    return ticks?.[ticks.length - 1]?.seq ?? 0;
  }

  latest(): SequencedTick[] {
    return [...this.bySymbol.values()].map((ticks) => ticks[ticks.length - 1]!);
  }

  symbols(): string[] {
    return [...this.bySymbol.keys()].sort();
  }
}
