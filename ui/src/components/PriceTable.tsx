import { memo } from "react";
import { formatChange, formatPrice } from "../format";
import { linkTo } from "../route";
import { usePriceStore } from "../store";
import { CoinIcon } from "./CoinIcon";
import { FavouriteButton } from "./FavouriteButton";
import { usePriceFlash, type CoinProps } from "./PriceCard";
import { TickAge } from "./TickAge";

const PriceRow = memo(function PriceRow({ symbol, name, image }: CoinProps) {
  const tick = usePriceStore((state) => state.latest[symbol]);
  const flash = usePriceFlash(tick?.price);
  if (!tick) return null;
  const change = tick.change24h;
  return (
    <tr data-testid={`row-${symbol}`}>
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
      <td className={`num change ${(change ?? 0) >= 0 ? "up" : "down"}`}>{change === undefined ? "–" : formatChange(change)}</td>
      <td className="source">{tick.source}</td>
      <td>
        <TickAge ts={tick.ts} />
      </td>
    </tr>
  );
});

export function PriceTable({ coins }: { coins: CoinProps[] }) {
  return (
    <table className="price-table" aria-label="Live prices">
      <thead>
        <tr>
          <th scope="col"><span className="visually-hidden">Favourite</span></th>
          <th scope="col">Coin</th>
          <th scope="col" className="num">Price</th>
          <th scope="col" className="num">24 h</th>
          <th scope="col">Source</th>
          <th scope="col">Last tick</th>
        </tr>
      </thead>
      <tbody>
        {coins.map((coin) => (
          <PriceRow key={coin.symbol} {...coin} />
        ))}
      </tbody>
    </table>
  );
}
