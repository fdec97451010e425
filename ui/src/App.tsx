import { useQueryClient } from "@tanstack/react-query";
import { useContext, useEffect } from "react";
import { Board } from "./components/Board";
import { CoinPage } from "./components/CoinPage";
import { FeedBanners } from "./components/FeedBanners";
import { StatusPill } from "./components/StatusPill";
import { connectFeed, feedUrl } from "./feed";
import { linkTo, useRoute } from "./route";
import { RenderPolicyContext } from "./render-policy";
import { usePriceStore } from "./store";

export function useLiveFeed(url: string) {
  const queryClient = useQueryClient();
  const { scheduleFrame, deliverTicks } = useContext(RenderPolicyContext);
  useEffect(() => {
    const { applyTicks, setStatus, setSimulated } = usePriceStore.getState();
    const feed = connectFeed({
      url,
      ...(scheduleFrame && { scheduleFrame }),
      handlers: {
        onTicks: deliverTicks ? (ticks) => deliverTicks(ticks, applyTicks) : applyTicks,
        onOpen: () => setStatus({ state: "live" }),
        onHello: (hello) => setSimulated(hello.simulated),
        onRetry: (retryAt) => setStatus({ state: "reconnecting", retryAt }),
        onResync: () => void queryClient.invalidateQueries({ queryKey: ["history"] }),
      },
    });
    return () => feed.close();
  }, [url, queryClient, scheduleFrame, deliverTicks]);
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
