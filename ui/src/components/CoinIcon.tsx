import { useState } from "react";

/** The coin's icon, or its first letter when there is none or it cannot load (the browser may be offline). */
export function CoinIcon({ symbol, image }: { symbol: string; image: string | undefined }) {
  const [failed, setFailed] = useState(false);
  if (!image || failed) {
    return (
      <span className="symbol-badge" aria-hidden="true" data-testid="icon-fallback">
        {symbol.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return <img className="coin-icon" src={image} alt="" width={24} height={24} loading="lazy" onError={() => setFailed(true)} />;
}
