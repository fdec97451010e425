/**
 * A coin's icon as the simulated exchange serves it: an SVG disc in a colour of the symbol's
 * own with its first letters, as a `data:` URL, so the demo's pages load no image from any
 * other host (CoinGecko's own are on coin-images.coingecko.com).
 */
export function coinIconUrl(symbol: string): string {
  let hash = 0;
  for (const char of symbol) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  const letters = symbol.slice(0, 3).toUpperCase();
  const fontSize = letters.length > 2 ? 11 : 14;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
    `<circle cx="16" cy="16" r="16" fill="hsl(${hash} 65% 45%)"/>` +
    `<text x="16" y="16" dy="0.35em" text-anchor="middle" font-family="sans-serif" font-weight="700" font-size="${fontSize}" fill="#fff">${letters}</text>` +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
