// Made once: a formatter per call (what toLocaleString does) cost more than the rest of a card's render.
const DOLLARS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DOLLARS_FINE = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const CENTS = new Intl.NumberFormat("en-US", { minimumSignificantDigits: 4, maximumSignificantDigits: 4 });

/** USD with thousands separators; more decimals the smaller the price, as exchanges show it. */
export function formatPrice(price: number): string {
  const formatter = price >= 100 ? DOLLARS : price >= 1 ? DOLLARS_FINE : CENTS;
  return `$${formatter.format(price)}`;
}

/** `+1.62%` or `−0.45%`, with a real minus sign. */
export function formatChange(percent: number): string {
  const text = Math.abs(percent).toFixed(2);
  if (Number(text) === 0) return "0.00%";
  return `${percent > 0 ? "+" : "\u2212"}${text}%`;
}
