import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { flushSync } from "react-dom";
import { RENDER_EVERY_TICK } from "./baseline";
import { Board } from "./components/Board";
import { CoinPage } from "./components/CoinPage";
import { FeedBanners } from "./components/FeedBanners";
import { StatusPill } from "./components/StatusPill";
import { connectFeed, feedUrl } from "./feed";
import { linkTo, useRoute } from "./route";
import { usePriceStore } from "./store";

export function useLiveFeed(url: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    const { applyTicks, setStatus, setSimulated } = usePriceStore.getState();
    const feed = connectFeed({
      url,
      ...(RENDER_EVERY_TICK && { scheduleFrame: (flush: () => void) => flush() }),
      handlers: {
        onTicks: RENDER_EVERY_TICK ? (ticks) => ticks.forEach((tick) => flushSync(() => applyTicks([tick]))) : applyTicks,
        onOpen: () => setStatus({ state: "live" }),
        onHello: (hello) => setSimulated(hello.simulated),
        onRetry: (retryAt) => setStatus({ state: "reconnecting", retryAt }),
        onResync: () => void queryClient.invalidateQueries({ queryKey: ["history"] }),
      },
    });
    return () => feed.close();
  }, [url, queryClient]);
}

export function App() {
  useLiveFeed(feedUrl(window.location));
  const route = useRoute();
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          <a {...linkTo("/")}>CryptoStream</a>
        </h1>
        <StatusPill />
      </header>
      <FeedBanners />
      <main>{route.page === "coin" ? <CoinPage symbol={route.symbol} /> : <Board />}</main>
    </div>
  );
}
