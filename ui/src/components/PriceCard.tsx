import { useQuery } from "@tanstack/react-query";
import { useMemo, useRef } from "react";
import { fetchHistory } from "../api";
import { formatChange, formatPrice } from "../format";
import { mergeSeries } from "../series";
import { usePriceStore } from "../store";
import { PriceChart } from "./PriceChart";

const NO_TICKS: never[] = [];

export function PriceCard({ symbol }: { symbol: string }) {
  const tick = usePriceStore((state) => state.latest[symbol]);
  const live = usePriceStore((state) => state.live[symbol] ?? NO_TICKS);
  const history = useQuery({
    queryKey: ["history", symbol],
    queryFn: ({ signal }) => fetchHistory(symbol, signal),
    staleTime: Infinity,
  });
  const series = useMemo(() => mergeSeries(history.data?.ticks ?? NO_TICKS, live), [history.data, live]);

  const previousPrice = useRef<number | undefined>(undefined);
  const flash = previousPrice.current === undefined || !tick || tick.price === previousPrice.current
    ? ""
    : tick.price > previousPrice.current ? "flash-up" : "flash-down";
  previousPrice.current = tick?.price;

  if (!tick) return null;
  const change = tick.change24h;
  const rising = (change ?? 0) >= 0;
  return (
    <article className="price-card" data-testid={`card-${symbol}`} aria-label={`${symbol.toUpperCase()} price`}>
      <header>
        <span className="symbol-badge" aria-hidden="true">{symbol.slice(0, 1).toUpperCase()}</span>
        <h2>{symbol.toUpperCase()}</h2>
        <span className="source">{tick.source}</span>
      </header>
      <p className={`price ${flash}`} key={tick.seq} data-testid="price">
        {formatPrice(tick.price)}
      </p>
      {change !== undefined && (
        <p className={`change ${rising ? "up" : "down"}`} data-testid="change">
          {formatChange(change)} <span className="muted">24h</span>
        </p>
      )}
      <PriceChart ticks={series} rising={rising} />
    </article>
  );
}
