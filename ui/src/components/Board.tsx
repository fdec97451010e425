import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { fetchSymbols } from "../api";
import { searchFromView, selectRows, viewFromSearch, type BoardRow, type BoardView } from "../board";
import { usePreferences } from "../preferences";
import { usePriceStore } from "../store";
import { PriceCard } from "./PriceCard";
import { PriceTable } from "./PriceTable";
import { Toolbar } from "./Toolbar";

/** The view lives in the URL (`?q=sol&sort=change&favourites=1`), so it can be shared. */
function useBoardView(): [BoardView, (view: BoardView) => void] {
  const [view, setView] = useState(() => viewFromSearch(window.location.search));
  const update = useCallback((next: BoardView) => {
    setView(next);
    window.history.replaceState(null, "", `${window.location.pathname}${searchFromView(next)}`);
  }, []);
  return [view, update];
}

export function Board() {
  const [view, setView] = useBoardView();
  const { layout, setLayout, favourites } = usePreferences();
  const latest = usePriceStore((state) => state.latest);
  const assets = useQuery({ queryKey: ["symbols"], queryFn: ({ signal }) => fetchSymbols(signal), staleTime: 5 * 60_000 });

  const rows = useMemo(() => {
    const assetOf = new Map(assets.data?.symbols.map((s) => [s.symbol, s.asset]) ?? []);
    const all: BoardRow[] = Object.values(latest).map((tick) => {
      const asset = assetOf.get(tick.symbol);
      return { symbol: tick.symbol, name: asset?.name ?? tick.symbol.toUpperCase(), tick, asset };
    });
    return selectRows(all, view, new Set(favourites));
  }, [latest, assets.data, view, favourites]);
  const coins = rows.map((row) => ({ symbol: row.symbol, name: row.asset?.name, image: row.asset?.image }));
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
        <section className="board" aria-label="Live prices">
          {coins.map((coin) => (
            <PriceCard key={coin.symbol} {...coin} />
          ))}
        </section>
      )}
    </>
  );
}
