import { useQueryClient } from "@tanstack/react-query";
import { useContext, useEffect, useRef } from "react";
import { Board } from "./components/Board";
import { CoinPage } from "./components/CoinPage";
import { FeedBanners } from "./components/FeedBanners";
import { StatusPill } from "./components/StatusPill";
import { connectFeed, feedUrl, type Feed } from "./feed";
import { linkTo, useRoute } from "./route";
import { RenderPolicyContext } from "./render-policy";
import { usePriceStore } from "./store";

/**
 * The board renders once per frame and redraws sparklines once a second: at most one message per
 * 250 ms per connection is all it shows. A coin page's live chart and replay keep every tick.
 */
export const BOARD_THROTTLE_MS = 250;

export function useLiveFeed(url: string, throttleMs: number) {
  const queryClient = useQueryClient();
  const { scheduleFrame, deliverTicks } = useContext(RenderPolicyContext);
  const feed = useRef<Feed | undefined>(undefined);
  const throttle = useRef(throttleMs);
  throttle.current = throttleMs;
  useEffect(() => {
    const { applyTicks, applyStatus, setStatus, setSimulated } = usePriceStore.getState();
    const connected = connectFeed({
      url,
      throttleMs: throttle.current,
      ...(scheduleFrame && { scheduleFrame }),
      handlers: {
        onTicks: deliverTicks ? (ticks) => deliverTicks(ticks, applyTicks) : applyTicks,
        onOpen: () => setStatus({ state: "live" }),
        onHello: (hello) => setSimulated(hello.simulated),
        onRetry: (retryAt) => setStatus({ state: "reconnecting", retryAt }),
        onResync: () => void queryClient.invalidateQueries({ queryKey: ["history"] }),
        onStatus: applyStatus,
      },
    });
    feed.current = connected;
    return () => connected.close();
  }, [url, queryClient, scheduleFrame, deliverTicks]);
  useEffect(() => feed.current?.setThrottle(throttleMs), [throttleMs]);
}

export function App() {
  const route = useRoute();
  useLiveFeed(feedUrl(window.location), route.page === "coin" ? 0 : BOARD_THROTTLE_MS);
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
