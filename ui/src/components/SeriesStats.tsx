import { formatPrice } from "../format";

/** Min, max and last price of the series shown, and how many ticks it holds. */
export function SeriesStats({ stats, count }: { stats: { min: number; max: number; last: number } | undefined; count: number }) {
  const cells: [string, string][] = [
    ["Min", stats ? formatPrice(stats.min) : "–"],
    ["Max", stats ? formatPrice(stats.max) : "–"],
    ["Last", stats ? formatPrice(stats.last) : "–"],
    ["Ticks", String(count)],
  ];
  return (
    <dl className="stats" data-testid="stats">
      {cells.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
