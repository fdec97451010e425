import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useClock } from "../clock";
import { usePriceStore } from "../store";
import { FeedBanners } from "./FeedBanners";

describe("FeedBanners", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    useClock.setState({ now: Date.now() });
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0, lastTickAt: 0, simulated: false, status: { state: "live" } });
  });
  afterEach(() => vi.useRealTimers());

  it("says when the data is simulated", () => {
    usePriceStore.setState({ simulated: true });
    render(<FeedBanners />);
    expect(screen.getByTestId("simulated-banner").textContent).toContain("Simulated data");
  });

  it("says when no tick has arrived for 30 s while connected, and clears when one does", () => {
    act(() => usePriceStore.getState().applyTicks([{ symbol: "btc", price: 1, ts: Date.now(), source: "binance", seq: 1 }]));
    render(<FeedBanners />);
    expect(screen.queryByTestId("stale-banner")).toBeNull();
    act(() => vi.advanceTimersByTime(31_000));
    expect(screen.getByTestId("stale-banner").textContent).toContain("No new prices for 31 s");
    act(() => usePriceStore.getState().applyTicks([{ symbol: "btc", price: 2, ts: Date.now(), source: "binance", seq: 2 }]));
    expect(screen.queryByTestId("stale-banner")).toBeNull();
  });
});
