import { useQuery } from "@tanstack/react-query";
import { memo, useMemo, useRef } from "react";
import { fetchHistory } from "../api";
import { linkTo } from "../route";
import { change24h } from "../changes";
import { formatChange, formatPrice } from "../format";
import { mergeSeries } from "../series";
import { usePriceStore } from "../store";
import { useThrottled } from "../throttle";
import { CoinIcon } from "./CoinIcon";
import { SourceNote, useSymbolStatus } from "./DataStatus";
import { FavouriteButton } from "./FavouriteButton";
import { Sparkline } from "./Sparkline";
import { TickAge } from "./TickAge";

const NO_TICKS: never[] = [];
const SPARKLINE_REFRESH_MS = 1_000;

export interface CoinProps {
  symbol: string;
  name?: string | undefined;
  image?: string | undefined;
  /** Percent over 1 hour and 7 days, from the candles. */
  change1h?: number | undefined;
  change7d?: number | undefined;
  /** The price 24 h ago the 24-hour change is measured against (see `change24h`). */
  base24h?: number | undefined;
}

/** The price element flashes green or red on each move; `key` restarts the animation without moving the layout. */
export function usePriceFlash(price: number | undefined): string {
  const previous = useRef<number | undefined>(undefined);
  const flash = previous.current === undefined || price === undefined || price === previous.current ? "" : price > previous.current ? "flash-up" : "flash-down";
  previous.current = price;
  return flash;
}

/** Re-renders only when its own symbol's slice of the store changes. */
export const PriceCard = memo(function PriceCard({ symbol, name, image, change7d, base24h, position, of }: CoinProps & { position?: number; of?: number }) {
  const tick = usePriceStore((state) => state.latest[symbol]);
  const live = usePriceStore((state) => state.live[symbol] ?? NO_TICKS);
  const history = useQuery({
    queryKey: ["history", symbol],
    queryFn: ({ signal }) => fetchHistory(symbol, signal),
    staleTime: Infinity,
  });
  const series = useMemo(() => mergeSeries(history.data?.ticks ?? NO_TICKS, live), [history.data, live]);
  // The price follows every tick; the sparkline of 50 ticks, at most once a second: redrawing
  // a chart per tick was most of the board's cost with hundreds of coins ticking.
  const sparkline = useThrottled(series, SPARKLINE_REFRESH_MS, { jitter: 0.5 });

  const flash = usePriceFlash(tick?.price);
  const { stale, sourceDown } = useSymbolStatus(symbol, tick?.source);

  if (!tick) return null;
  const change = change24h(tick, base24h);
  const rising = (change ?? 0) >= 0;
  return (
    <article
      className={stale ? "price-card stale" : "price-card"}
      data-testid={`card-${symbol}`}
      data-stale={stale ? "true" : undefined}
      aria-label={`${name ?? symbol.toUpperCase()} price`}
      aria-posinset={position}
      aria-setsize={of}
    >
      <header>
        <CoinIcon symbol={symbol} image={image} />
        <h2>
          <a {...linkTo(`/coin/${symbol}`)}>
            {name ?? symbol.toUpperCase()} {name && <span className="ticker">{symbol.toUpperCase()}</span>}
          </a>
        </h2>
        <FavouriteButton symbol={symbol} />
      </header>
      <p className={`price ${flash}`} key={tick.seq} data-testid="price">
        {formatPrice(tick.price)}
      </p>
      {change !== undefined && (
        <p className={`change ${rising ? "up" : "down"}`} data-testid="change">
          {formatChange(change)} <span className="muted">24h</span>
          {change7d !== undefined && (
            <span className={`change-7d ${change7d >= 0 ? "up" : "down"}`} data-testid="change-7d">
              {formatChange(change7d)} <span className="muted">7d</span>
            </span>
          )}
        </p>
      )}
      <Sparkline ticks={sparkline} rising={rising} />
      <footer className="card-footer">
        <SourceNote source={tick.source} down={sourceDown} />
        <TickAge ts={tick.ts} stale={stale !== undefined} />
      </footer>
    </article>
  );
});
