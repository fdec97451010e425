export type ActiveSource = "primary" | "fallback";

interface SymbolState {
  active: ActiveSource;
  primaryLastSeen: number | undefined;
  /** While on the fallback: since when the primary has been ticking again without a silence. */
  primaryBackSince: number | undefined;
}

/**
 * One active source per symbol: the primary while it is fresh, the fallback once
 * the primary has been silent for `staleAfterMs`, and the primary again only after
 * it has ticked steadily for `recoverAfterMs`, so a flaky primary does not flap.
 * At start the primary gets `staleAfterMs` to speak before the fallback may take over.
 */
export class SourceSelector {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly startedAt: number;

  constructor(
    private readonly primary: string,
    private readonly staleAfterMs: number,
    private readonly recoverAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Whether a tick of `source` for `symbol` should be published now. */
  accepts(source: string, symbol: string): boolean {
    const now = this.now();
    const state = this.stateOf(symbol);
    if (source === this.primary) {
      const silentFor = state.primaryLastSeen === undefined ? Infinity : now - state.primaryLastSeen;
      state.primaryLastSeen = now;
      if (state.active === "primary") return true;
      if (state.primaryBackSince === undefined || silentFor > this.staleAfterMs) state.primaryBackSince = now;
      if (now - state.primaryBackSince < this.recoverAfterMs) return false;
      state.active = "primary";
      state.primaryBackSince = undefined;
      return true;
    }
    if (state.active === "primary" && now - (state.primaryLastSeen ?? this.startedAt) > this.staleAfterMs) {
      state.active = "fallback";
      state.primaryBackSince = undefined;
    }
    return state.active === "fallback";
  }

  activeSource(symbol: string): ActiveSource {
    return this.stateOf(symbol).active;
  }

  private stateOf(symbol: string): SymbolState {
    let state = this.symbols.get(symbol);
    if (!state) {
      state = { active: "primary", primaryLastSeen: undefined, primaryBackSince: undefined };
      this.symbols.set(symbol, state);
    }
    return state;
  }
}
