import { SORT_KEYS, type BoardView, type SortKey } from "../board";
import type { Layout } from "../preferences";

const SORT_LABELS: Record<SortKey, string> = {
  rank: "Market cap",
  name: "Name",
  price: "Price",
  change1h: "1 h change",
  change: "24 h change",
  change7d: "7 d change",
};

export interface ToolbarProps {
  view: BoardView;
  onView: (view: BoardView) => void;
  layout: Layout;
  onLayout: (layout: Layout) => void;
}

export function Toolbar({ view, onView, layout, onLayout }: ToolbarProps) {
  return (
    <search className="toolbar">
      <input
        type="search"
        placeholder="Search by name or symbol"
        aria-label="Search by name or symbol"
        value={view.query}
        onChange={(event) => onView({ ...view, query: event.target.value })}
      />
      <label>
        Sort by{" "}
        <select value={view.sort} onChange={(event) => onView({ ...view, sort: event.target.value as SortKey })}>
          {SORT_KEYS.map((key) => (
            <option key={key} value={key}>
              {SORT_LABELS[key]}
            </option>
          ))}
        </select>
      </label>
      <button type="button" aria-pressed={view.favouritesOnly} onClick={() => onView({ ...view, favouritesOnly: !view.favouritesOnly })}>
        ★ Favourites
      </button>
      <button type="button" aria-pressed={layout === "table"} onClick={() => onLayout(layout === "table" ? "cards" : "table")}>
        {layout === "table" ? "Cards" : "Table"}
      </button>
    </search>
  );
}
