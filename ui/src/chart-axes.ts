import { formatPrice } from "./format";

const WHOLE_DOLLARS = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/**
 * The width of one character of an axis label at most (a digit is about 0.55 em, and the labels
 * inherit the page's 16 px), and the room beside them (the tick, its margin), in px.
 */
const CHARACTER_PX = 9.5;
const PADDING_PX = 20;

/** A price as an axis label: whole dollars from $1,000 (the axis's steps are far coarser than a cent there), else as everywhere. */
export function axisPrice(price: number): string {
  return price >= 1_000 ? `$${WHOLE_DOLLARS.format(price)}` : formatPrice(price);
}

/** How wide the price axis must be for the labels of prices from `low` to `high`, so none is cut at the chart's edge. */
export function priceAxisWidth(prices: readonly number[]): number {
  if (prices.length === 0) return PADDING_PX + CHARACTER_PX * 6;
  const [low, high] = [Math.min(...prices), Math.max(...prices)];
  // Recharts' "auto" domain may extend a little past the data: a label one step beyond either end.
  const margin = (high - low) * 0.1;
  const longest = Math.max(...[low - margin, high + margin, low, high].filter((price) => price > 0).map((price) => axisPrice(price).length));
  return PADDING_PX + CHARACTER_PX * longest;
}

/** Steps between time labels, from a second to an hour: each label a round time. */
const TIME_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600].map((seconds) => seconds * 1_000);
/** The least span of the live chart's time axis, so that its labels name different seconds. */
export const MIN_TIME_SPAN_MS = 30_000;

/**
 * Round times from `from` to `to` to label an axis with, at most `most` of them: the smallest
 * step of {@link TIME_STEPS_MS} that fits (whole hours past an hour).
 */
export function timeTicks(from: number, to: number, most = 5): number[] {
  const span = Math.max(0, to - from);
  const step = TIME_STEPS_MS.find((candidate) => span / candidate <= most) ?? 3_600_000 * Math.ceil(span / (most * 3_600_000));
  const ticks: number[] = [];
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) ticks.push(at);
  return ticks;
}
