import type { AssetMetadata, SequencedTick } from "@cryptostream/core/contracts";
import { change24h } from "./changes";

export type SortKey = "name" | "price" | "change1h" | "change" | "change7d" | "rank";
export const SORT_KEYS: readonly SortKey[] = ["rank", "name", "price", "change1h", "change", "change7d"];

export interface BoardRow {
  symbol: string;
  name: string;
  tick: SequencedTick;
  asset: AssetMetadata | undefined;
  /** Percent over 1 hour and 7 days, from the candles (`GET /api/symbols`). */
  change1h?: number | undefined;
  change7d?: number | undefined;
  /** The price 24 h ago the 24-hour change is measured against (see `change24h`). */
  base24h?: number | undefined;
}

export interface BoardView {
  query: string;
  sort: SortKey;
  favouritesOnly: boolean;
}

const compare: Record<SortKey, (a: BoardRow, b: BoardRow) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  price: (a, b) => b.tick.price - a.tick.price,
  change: (a, b) => (change24h(b.tick, b.base24h) ?? -Infinity) - (change24h(a.tick, a.base24h) ?? -Infinity),
  change1h: (a, b) => (b.change1h ?? -Infinity) - (a.change1h ?? -Infinity) || a.symbol.localeCompare(b.symbol),
  change7d: (a, b) => (b.change7d ?? -Infinity) - (a.change7d ?? -Infinity) || a.symbol.localeCompare(b.symbol),
  rank: (a, b) => (a.asset?.marketCapRank ?? Infinity) - (b.asset?.marketCapRank ?? Infinity) || a.symbol.localeCompare(b.symbol),
};

/** The rows to show: matching the search (symbol or name), favourites if asked, in the chosen order. */
export function selectRows(rows: readonly BoardRow[], view: BoardView, favourites: ReadonlySet<string>): BoardRow[] {
  const query = view.query.trim().toLowerCase();
  return rows
    .filter((row) => !query || row.symbol.includes(query) || row.name.toLowerCase().includes(query))
    .filter((row) => !view.favouritesOnly || favourites.has(row.symbol))
    .sort(compare[view.sort]);
}

/** The board's view as it is kept in the URL, so a view can be shared. */
export function viewFromSearch(search: string): BoardView {
  const params = new URLSearchParams(search);
  const sort = params.get("sort") as SortKey | null;
  return {
    query: params.get("q") ?? "",
    sort: sort && SORT_KEYS.includes(sort) ? sort : "rank",
    favouritesOnly: params.get("favourites") === "1",
  };
}

export function searchFromView(view: BoardView): string {
  const params = new URLSearchParams();
  if (view.query) params.set("q", view.query);
  if (view.sort !== "rank") params.set("sort", view.sort);
  if (view.favouritesOnly) params.set("favourites", "1");
  const text = params.toString();
  return text ? `?${text}` : "";
}
