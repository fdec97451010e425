/** USD with thousands separators; more decimals the smaller the price, as exchanges show it. */
export function formatPrice(price: number): string {
  const decimals = price >= 100 ? 2 : 4;
  const digits = price >= 1 ? { minimumFractionDigits: 2, maximumFractionDigits: decimals } : { minimumSignificantDigits: 4, maximumSignificantDigits: 4 };
  return `$${price.toLocaleString("en-US", digits)}`;
}

/** `+1.62%` or `−0.45%`, with a real minus sign. */
export function formatChange(percent: number): string {
  const text = Math.abs(percent).toFixed(2);
  if (Number(text) === 0) return "0.00%";
  return `${percent > 0 ? "+" : "\u2212"}${text}%`;
}
