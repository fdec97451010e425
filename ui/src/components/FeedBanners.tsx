import { formatAge, useNow } from "../clock";
import { usePriceStore } from "../store";

/** Past this without a single tick while connected, the feed is shown as stalled. */
export const FEED_STALE_AFTER_MS = 30_000;

export function FeedBanners() {
  const simulated = usePriceStore((state) => state.simulated);
  const live = usePriceStore((state) => state.status.state === "live");
  const lastTickAt = usePriceStore((state) => state.lastTickAt);
  const silentFor = useNow() - lastTickAt;
  return (
    <>
      {simulated && (
        <p className="banner" role="note" data-testid="simulated-banner">
          Simulated data: these prices come from CryptoStream's built-in exchange simulator, not a real market.
        </p>
      )}
      {live && lastTickAt > 0 && silentFor > FEED_STALE_AFTER_MS && (
        <p className="banner" role="alert" data-testid="stale-banner">
          No new prices for {formatAge(silentFor).replace(" ago", "")}: the exchanges or the pipeline may have stalled.
        </p>
      )}
    </>
  );
}
