import { useQuery } from "@tanstack/react-query";
import type { SequencedTick } from "@cryptostream/core/contracts";
import { useCallback, useMemo, useRef } from "react";
import { fetchSymbols } from "../api";
import { searchFromView, selectRows, viewFromSearch, type BoardRow, type BoardView } from "../board";
import { usePreferences } from "../preferences";
import { useSearchView } from "../route";
import { usePriceStore } from "../store";
import { useColumns, useWindowedRows } from "../virtual-rows";
import { basePrice } from "../changes";
import { PriceCard, type CoinProps } from "./PriceCard";
import { PriceTable } from "./PriceTable";
import { Toolbar } from "./Toolbar";

/**
 * Selects the latest ticks, or, when their prices do not matter, an object that changes
 * only with the set of symbols. The store only ever adds symbols, so their count tells
 * when the set changed, without sorting every symbol on every frame.
 */
function useShallowLatest(byMarket: boolean) {
  const cache = useRef<{ count: number; value: Record<string, SequencedTick> }>({ count: -1, value: {} });
  return useCallback(
    (state: { latest: Record<string, SequencedTick> }) => {
      if (byMarket) return state.latest;
      const count = Object.keys(state.latest).length;
      if (count !== cache.current.count) cache.current = { count, value: state.latest };
      return cache.current.value;
    },
    [byMarket],
  );
}

/** The view lives in the URL (`?q=sol&sort=change&favourites=1`), so it can be shared. */
const useBoardView = () => useSearchView<BoardView>(viewFromSearch, searchFromView);

const CARD_MIN_WIDTH = 220;
const CARD_GAP = 12;
const CARD_ROW_HEIGHT = 196;

/** Cards in as many columns as fit, windowed by rows when there are many. */
function CardGrid({ coins }: { coins: CoinProps[] }) {
  const gridRef = useRef<HTMLElement | null>(null);
  const columns = useColumns(gridRef, CARD_MIN_WIDTH, CARD_GAP);
  const { listRef, indexes, before, after, measure } = useWindowedRows<HTMLDivElement>(Math.ceil(coins.length / columns), CARD_ROW_HEIGHT);
  return (
    <section className="board" aria-label="Live prices" ref={gridRef}>
      <div ref={listRef}>
        <div style={{ height: before }} />
        {indexes.map((row) => (
          <div key={row} className="board-row" data-index={row} ref={measure} style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
            {coins.slice(row * columns, (row + 1) * columns).map((coin, i) => (
              <PriceCard key={coin.symbol} {...coin} position={row * columns + i + 1} of={coins.length} />
            ))}
          </div>
        ))}
        <div style={{ height: after }} />
      </div>
    </section>
  );
}

export function Board() {
  const [view, setView] = useBoardView();
  const { layout, setLayout, favourites } = usePreferences();
  // Sorting by price or change needs every tick; otherwise the board re-renders only when the set of symbols changes.
  const byMarket = view.sort === "price" || view.sort === "change";
  const latest = usePriceStore(useShallowLatest(byMarket));
  // Metadata, and the 7-day change from the candles, which moves slowly: asked again every minute.
  const symbols = useQuery({ queryKey: ["symbols"], queryFn: ({ signal }) => fetchSymbols(signal), staleTime: 60_000, refetchInterval: 60_000 });

  const rows = useMemo(() => {
    const entryOf = new Map(symbols.data?.symbols.map((s) => [s.symbol, s]) ?? []);
    const all: BoardRow[] = Object.values(latest).map((tick) => {
      const entry = entryOf.get(tick.symbol);
      const asset = entry?.asset;
      return {
        symbol: tick.symbol,
        name: asset?.name ?? tick.symbol.toUpperCase(),
        tick,
        asset,
        change1h: entry?.changes?.["1h"],
        change7d: entry?.changes?.["7d"],
        base24h: basePrice(entry, "24h"),
      };
    });
    return selectRows(all, view, new Set(favourites));
  }, [latest, symbols.data, view, favourites]);
  const coins = rows.map((row) => ({
    symbol: row.symbol,
    name: row.asset?.name,
    image: row.asset?.image,
    change1h: row.change1h,
    change7d: row.change7d,
    base24h: row.base24h,
  }));
  const total = Object.keys(latest).length;

  return (
    <>
      <Toolbar view={view} onView={setView} layout={layout} onLayout={setLayout} />
      {total === 0 ? (
        <p className="empty">Waiting for the first prices…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No coin matches.</p>
      ) : layout === "table" ? (
        <PriceTable coins={coins} />
      ) : (
        <CardGrid coins={coins} />
      )}
    </>
  );
}
