import type { SequencedTick } from "@cryptostream/core/contracts";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePriceStore } from "../store";
import { renderWithQueries } from "../test-utils";
import { CoinPage } from "./CoinPage";

const base = Date.now() - 600_000;
const tick = (seq: number, offsetMs: number, price: number): SequencedTick => ({ symbol: "btc", price, ts: base + offsetMs, source: "binance", seq });
const history = [tick(1, 0, 100), tick(2, 1_000, 140), tick(3, 2_000, 90)];
const window15m = Array.from({ length: 20 }, (_, i) => tick(100 + i, i * 1_000, 200 + i));

const renderPage = () => renderWithQueries(<CoinPage symbol="btc" />);
const stat = (name: string) => within(screen.getByTestId("stats")).getByText(name).nextElementSibling!.textContent;

describe("the coin page", () => {
  beforeEach(() => {
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0 });
    usePriceStore.getState().applyTicks([history[2]!]);
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        if (url === "/api/history/btc") return new Response(JSON.stringify({ symbol: "btc", ticks: history }));
        if (url.startsWith("/api/ticks?symbols=btc&since=15m")) return new Response(JSON.stringify(window15m));
        return new Response(JSON.stringify({ symbols: [] }));
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the window's minimum, maximum and last over the kept history plus live ticks", async () => {
    renderPage();
    await waitFor(() => expect(stat("Ticks")).toBe("3"));
    expect(stat("Min")).toBe("$90.00");
    expect(stat("Max")).toBe("$140.00");
    expect(stat("Last")).toBe("$90.00");
  });

  it("replays a recent window at the chosen speed, pauses, scrubs and goes back to live", async () => {
    renderPage();
    fireEvent.click(screen.getByRole("button", { name: "15 min" }));
    expect(fetch).toHaveBeenCalledWith("/api/ticks?symbols=btc&since=15m&limit=100000", expect.objectContaining({ headers: { accept: "application/json" } }));
    fireEvent.click(await screen.findByRole("button", { name: "60×" }));
    await waitFor(() => expect(stat("Ticks")).toBe("20"), { timeout: 3_000 });
    expect(stat("Last")).toBe("$219.00");
    expect(screen.getByRole("button", { name: "Play" })).toBeTruthy();

    fireEvent.change(screen.getByRole("slider", { name: "Replay position" }), { target: { value: String(base + 4_000) } });
    expect(stat("Ticks")).toBe("5");
    expect(stat("Max")).toBe("$204.00");

    fireEvent.click(screen.getByRole("button", { name: "Back to live" }));
    expect(stat("Ticks")).toBe("3");
    expect(screen.getByRole("button", { name: "5 min" })).toBeTruthy();
  });
});

describe("the coin page's venues", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("lists each venue's latest price beside the reference price, and says which was left out and why", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ symbol: "btc", ticks: [], symbols: [] }))),
    );
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0, references: {} });
    const inputs = [
      { venue: "binance", price: 100, age: 200 },
      { venue: "coinbase", price: 100_000, age: 0, dropped: "outlier" as const },
      { venue: "kraken", price: 101, age: 1_500 },
    ];
    usePriceStore.getState().applyTicks([{ symbol: "btc", price: 100.5, ts: Date.now(), source: "index", seq: 9, inputs }]);
    renderPage();
    const venues = await screen.findByRole("region", { name: "Venues" });
    expect(within(venues).getByText("median of 2")).toBeTruthy();
    expect(screen.getByTestId("venue-kraken").textContent).toBe("kraken$101.00+0.498%1.5 syes");
    expect(screen.getByTestId("venue-coinbase").textContent).toContain("left out: too far from the others");
    expect(screen.getByTestId("venue-coinbase").className).toBe("dropped");
  });

  it("says when the broadcaster reports the price withheld for want of a majority", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ symbol: "btc", ticks: [], symbols: [] }))),
    );
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0, references: {} });
    usePriceStore.getState().applyTicks([
      {
        symbol: "btc",
        price: 100,
        ts: Date.now(),
        source: "index",
        seq: 9,
        inputs: [
          { venue: "binance", price: 100, age: 0 },
          { venue: "kraken", price: 100, age: 0 },
        ],
      },
    ]);
    usePriceStore.getState().applyStatus({ symbols: {}, sources: {}, references: { btc: { dropped: [], withheld: "no_majority", since: 1 } } }, false);
    renderPage();
    expect((await screen.findByRole("status")).textContent).toContain("disagree");
    usePriceStore.getState().applyStatus({ symbols: {}, sources: {}, references: { btc: { dropped: [], since: 2 } } }, false);
    await waitFor(() => expect(screen.queryByText(/disagree/)).toBeNull());
  });
});
