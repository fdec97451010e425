/**
 * One active source per symbol: the primary while it is fresh, the fallback once
 * the primary has been silent for `staleAfterMs`.
 */
export class SourceSelector {
  private readonly primaryLastSeen = new Map<string, number>();

  constructor(
    private readonly primary: string,
    private readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a tick of `source` for `symbol` should be published now. */
  accepts(source: string, symbol: string): boolean {
    if (source === this.primary) {
      this.primaryLastSeen.set(symbol, this.now());
      return true;
    }
    return this.activeSource(symbol) !== this.primary;
  }

  activeSource(symbol: string): string {
    const seen = this.primaryLastSeen.get(symbol);
    return seen !== undefined && this.now() - seen <= this.staleAfterMs ? this.primary : "fallback";
  }
}
