import { memo } from "react";
import { change24h } from "../changes";
import { formatChange, formatPrice } from "../format";
import { linkTo } from "../route";
import { usePriceStore } from "../store";
import { CoinIcon } from "./CoinIcon";
import { FavouriteButton } from "./FavouriteButton";
import { usePriceFlash, type CoinProps } from "./PriceCard";
import { SourceNote, useSymbolStatus } from "./DataStatus";
import { TickAge } from "./TickAge";
import { useWindowedRows } from "../virtual-rows";

const ROW_HEIGHT = 45;
const COLUMNS = 8;

const PriceRow = memo(function PriceRow({
  symbol,
  name,
  image,
  change1h,
  change7d,
  base24h,
  index,
  measure,
}: CoinProps & { index: number; measure: ((element: Element | null) => void) | undefined }) {
  const tick = usePriceStore((state) => state.latest[symbol]);
  const flash = usePriceFlash(tick?.price);
  const { stale, sourceDown } = useSymbolStatus(symbol, tick?.source);
  if (!tick) return null;
  const change = change24h(tick, base24h);
  return (
    <tr data-testid={`row-${symbol}`} className={stale ? "stale" : undefined} data-index={index} ref={measure} aria-rowindex={index + 2}>
      <td>
        <FavouriteButton symbol={symbol} />
      </td>
      <th scope="row">
        <span className="coin-cell">
          <CoinIcon symbol={symbol} image={image} />
          <a {...linkTo(`/coin/${symbol}`)}>
            {name ?? symbol.toUpperCase()} {name && <span className="ticker">{symbol.toUpperCase()}</span>}
          </a>
        </span>
      </th>
      <td className={`num ${flash}`} key={tick.seq} data-testid="price">
        {formatPrice(tick.price)}
      </td>
      <td className={`num change ${(change1h ?? 0) >= 0 ? "up" : "down"}`} data-testid="change-1h">
        {change1h === undefined ? "–" : formatChange(change1h)}
      </td>
      <td className={`num change ${(change ?? 0) >= 0 ? "up" : "down"}`}>{change === undefined ? "–" : formatChange(change)}</td>
      <td className={`num change ${(change7d ?? 0) >= 0 ? "up" : "down"}`} data-testid="change-7d">
        {change7d === undefined ? "–" : formatChange(change7d)}
      </td>
      <td>
        <SourceNote source={tick.source} down={sourceDown} />
      </td>
      <td>
        <TickAge ts={tick.ts} stale={stale !== undefined} />
      </td>
    </tr>
  );
});

/** One row per coin, windowed when there are many (`aria-rowcount` and `aria-rowindex` tell assistive technology where it is). */
export function PriceTable({ coins }: { coins: CoinProps[] }) {
  const { listRef, indexes, before, after, measure } = useWindowedRows<HTMLTableSectionElement>(coins.length, ROW_HEIGHT);
  const spacer = (height: number) =>
    height > 0 && (
      // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row holds nothing to focus; it only keeps the scroll height of the rows not rendered
      <tr aria-hidden="true" className="spacer">
        <td colSpan={COLUMNS} style={{ height }} />
      </tr>
    );
  return (
    <table className="price-table" aria-label="Live prices" aria-rowcount={coins.length + 1}>
      <thead>
        <tr aria-rowindex={1}>
          <th scope="col">
            <span className="visually-hidden">Favourite</span>
          </th>
          <th scope="col">Coin</th>
          <th scope="col" className="num">
            Price
          </th>
          <th scope="col" className="num">
            1 h
          </th>
          <th scope="col" className="num">
            24 h
          </th>
          <th scope="col" className="num">
            7 d
          </th>
          <th scope="col">Source</th>
          <th scope="col">Last tick</th>
        </tr>
      </thead>
      <tbody ref={listRef}>
        {spacer(before)}
        {indexes.map((index) => (
          <PriceRow key={coins[index]!.symbol} {...coins[index]!} index={index} measure={measure} />
        ))}
        {spacer(after)}
      </tbody>
    </table>
  );
}
