import type { SourceStatus, SymbolStatus } from "@cryptostream/core/contracts";
import { usePriceStore } from "../store";

export interface SymbolDataStatus {
  /** Set while the broadcaster says the symbol is stale. */
  stale: SymbolStatus | undefined;
  /** Set while the source of its last tick is down. */
  sourceDown: SourceStatus | undefined;
}

/** What the broadcaster's status events say about a symbol and the source that feeds it. */
export function useSymbolStatus(symbol: string, source: string | undefined): SymbolDataStatus {
  const stale = usePriceStore((state) => state.stale[symbol]);
  const sourceStatus = usePriceStore((state) => (source === undefined ? undefined : state.sources[source]));
  return { stale, sourceDown: sourceStatus?.state === "down" ? sourceStatus : undefined };
}

/** The source that feeds a symbol, and, when it is down, why. */
export function SourceNote({ source, down }: { source: string; down: SourceStatus | undefined }) {
  return (
    <span className={down ? "source down" : "source"} data-testid="source">
      {down ? `${source} down${down.reason ? ` (${down.reason})` : ""}` : source}
    </span>
  );
}
