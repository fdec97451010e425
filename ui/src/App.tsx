import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { PriceCard } from "./components/PriceCard";
import { StatusPill } from "./components/StatusPill";
import { connectFeed, feedUrl } from "./feed";
import { usePriceStore } from "./store";

export function useLiveFeed(url: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const { applyTicks, setStatus } = usePriceStore.getState();
    const feed = connectFeed({
      url,
      handlers: {
        onTicks: applyTicks,
        onOpen: () => setStatus({ state: "live" }),
        onRetry: (retryAt) => setStatus({ state: "reconnecting", retryAt }),
        onResync: () => void queryClient.invalidateQueries({ queryKey: ["history"] }),
      },
    });
    return () => feed.close();
  }, [url, queryClient]);
}

export function App() {
  useLiveFeed(feedUrl(window.location));
  const symbols = usePriceStore((state) => Object.keys(state.latest).sort().join(","));
  return (
    <div className="app">
      <header className="topbar">
        <h1>CryptoStream</h1>
        <StatusPill />
      </header>
      <main>
        {symbols === "" ? (
          <p className="empty">Waiting for the first prices…</p>
        ) : (
          <section className="board" aria-label="Live prices">
            {symbols.split(",").map((symbol) => (
              <PriceCard key={symbol} symbol={symbol} />
            ))}
          </section>
        )}
      </main>
    </div>
  );
}
