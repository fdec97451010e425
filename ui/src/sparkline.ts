/** Width and height of a sparkline's drawing, in its own units; the SVG stretches it to the card. */
export const SPARKLINE_WIDTH = 100;
export const SPARKLINE_HEIGHT = 40;
const PADDING = 2;

/**
 * The `points` of an SVG polyline through `prices`, oldest on the left, the lowest price at the
 * bottom and the highest at the top; a flat series is drawn across the middle. Empty for fewer
 * than two prices.
 */
export function sparklinePoints(prices: readonly number[], width = SPARKLINE_WIDTH, height = SPARKLINE_HEIGHT): string {
  if (prices.length < 2) return "";
  let min = Infinity;
  let max = -Infinity;
  for (const price of prices) {
    if (price < min) min = price;
    if (price > max) max = price;
  }
  const range = max - min;
  const step = width / (prices.length - 1);
  const span = height - 2 * PADDING;
  const y = (price: number) => (range === 0 ? height / 2 : PADDING + span * (1 - (price - min) / range));
  return prices.map((price, i) => `${round(i * step)},${round(y(price))}`).join(" ");
}

const round = (value: number) => Math.round(value * 100) / 100;
