import type { SequencedTick } from "@cryptostream/core/contracts";
import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePriceStore } from "../store";
import { renderWithQueries } from "../test-utils";
import { PriceCard } from "./PriceCard";
import { StatusPill, statusLabel } from "./StatusPill";

const tick = (seq: number, price: number, change24h: number): SequencedTick => ({
  symbol: "btc",
  price,
  ts: 1_763_800_000_000 + seq,
  source: "binance",
  seq,
  change24h,
});

const renderCard = () => renderWithQueries(<PriceCard symbol="btc" />);

describe("PriceCard", () => {
  beforeEach(() => {
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0 });
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ symbol: "btc", ticks: [] }), { status: 200 })),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the live price and 24 h change, and flashes the direction of each move", async () => {
    usePriceStore.getState().applyTicks([tick(1, 98_421.57, 1.62)]);
    renderCard();
    expect(screen.getByTestId("price").textContent).toBe("$98,421.57");
    expect(screen.getByTestId("change").textContent).toContain("+1.62%");
    expect(screen.getByTestId("change").className).toContain("up");
    expect(fetch).toHaveBeenCalledWith("/api/history/btc", expect.anything());

    act(() => usePriceStore.getState().applyTicks([tick(2, 98_300, -0.5)]));
    expect(screen.getByTestId("price").textContent).toBe("$98,300.00");
    expect(screen.getByTestId("price").className).toContain("flash-down");
    expect(screen.getByTestId("change").className).toContain("down");

    act(() => usePriceStore.getState().applyTicks([tick(3, 98_500, -0.3)]));
    expect(screen.getByTestId("price").className).toContain("flash-up");
  });

  it("draws the sparkline through the fetched history and the live ticks after it", async () => {
    const history = [tick(1, 100, 1), tick(2, 104, 1), tick(3, 102, 1)];
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ symbol: "btc", ticks: history }), { status: 200 })),
    );
    act(() => usePriceStore.getState().applyTicks([tick(3, 102, 1), tick(4, 101, 1)]));
    const { container } = renderCard();
    const line = () => container.querySelector("polyline.sparkline")?.getAttribute("points")?.split(" ") ?? [];
    // The sparkline follows at most once a second (with jitter), so history may take that long to show.
    await waitFor(() => expect(line()).toHaveLength(4), { timeout: 3_000 });
    const ys = line().map((point) => Number(point.split(",")[1]));
    expect(Math.min(...ys)).toBe(ys[1]); // 104, the highest price, is drawn at the top
    expect(Math.max(...ys)).toBe(ys[0]); // 100, the lowest, at the bottom
  });

  it("renders nothing before the first tick of its symbol", () => {
    const { container } = renderCard();
    expect(container.innerHTML).toBe("");
  });
});

describe("StatusPill", () => {
  it("says live, or when the next reconnect happens", () => {
    expect(statusLabel({ state: "reconnecting", retryAt: 4_200 }, 1_000)).toBe("Reconnecting in 4 s");
    usePriceStore.setState({ status: { state: "live" } });
    render(<StatusPill />);
    expect(screen.getByRole("status").textContent).toBe("Live");
  });
});
