import type { ChangeWindow, SymbolsResponse, Tick } from "@cryptostream/core/contracts";

type SymbolEntry = SymbolsResponse["symbols"][number];

/** The price a window before `/api/symbols`' latest tick that its change was measured against; undefined without candles that old. */
export function basePrice(entry: SymbolEntry | undefined, window: ChangeWindow): number | undefined {
  const change = entry?.changes?.[window];
  return entry === undefined || change === undefined ? undefined : entry.latest.price / (1 + change / 100);
}

/**
 * The 24-hour change, one definition for the board, the coin page's header and its 24H chart: the
 * price now against the close of CryptoStream's own 5-minute candle 24 hours before it (the base
 * `/api/symbols` measures, see `basePrice`), so it moves with every tick. Only while the candles do
 * not reach back 24 hours is it the venues' own (the median of their rolling 24 h changes, `change24h`).
 */
export function change24h(tick: Pick<Tick, "price" | "change24h">, base24h: number | undefined): number | undefined {
  return base24h === undefined ? tick.change24h : (tick.price / base24h - 1) * 100;
}
