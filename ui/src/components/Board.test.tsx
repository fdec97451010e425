import type { SequencedTick } from "@cryptostream/core/contracts";
import { act, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as format from "../format";
import { usePreferences } from "../preferences";
import { usePriceStore } from "../store";
import { renderWithQueries } from "../test-utils";
import { Board } from "./Board";

const now = Date.now();
const tick = (symbol: string, seq: number, price: number, change24h: number, ageMs = 1_000): SequencedTick => ({
  symbol,
  price,
  ts: now - ageMs,
  source: "binance",
  seq,
  change24h,
});
const assets = [
  { symbol: "btc", name: "Bitcoin", coingeckoId: "bitcoin", image: "https://img.test/btc.png", marketCapRank: 1 },
  { symbol: "eth", name: "Ethereum", coingeckoId: "ethereum", image: "https://img.test/eth.png", marketCapRank: 2 },
  { symbol: "xlm", name: "Stellar", coingeckoId: "stellar", marketCapRank: 19 },
];

const renderBoard = () => renderWithQueries(<Board />);
const cardOrder = () => screen.getAllByRole("article").map((card) => card.getAttribute("data-testid"));

describe("the board", () => {
  beforeEach(() => {
    window.history.replaceState(null, "", "/");
    localStorage.clear();
    usePreferences.setState({ favourites: [], layout: "cards" });
    usePriceStore.setState({ latest: {}, live: {}, lastSeq: 0, stale: {}, sources: {} });
    usePriceStore.getState().applyTicks([tick("xlm", 1, 0.45, 4), tick("eth", 2, 3_400, -2), tick("btc", 3, 98_000, 1.5, 120_000)]);
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) =>
        url === "/api/symbols"
          ? new Response(JSON.stringify({ symbols: assets.map((asset) => ({ symbol: asset.symbol, latest: tick(asset.symbol, 1, 1, 0), asset })) }))
          : new Response(JSON.stringify({ symbol: "x", ticks: [] })),
      ),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("orders by market cap once metadata arrives, shows names and icons, and letters when there is no icon", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    expect(cardOrder()).toEqual(["card-btc", "card-eth", "card-xlm"]);
    expect(within(screen.getByTestId("card-xlm")).getByTestId("icon-fallback").textContent).toBe("X");
    const btcIcon = screen.getByTestId("card-btc").querySelector("img")!;
    expect(btcIcon.getAttribute("src")).toBe("https://img.test/btc.png");
    fireEvent.error(btcIcon);
    expect(within(screen.getByTestId("card-btc")).getByTestId("icon-fallback").textContent).toBe("B");
  });

  it("searches by name or symbol and sorts, keeping both in the URL", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "stell" } });
    expect(cardOrder()).toEqual(["card-xlm"]);
    expect(window.location.search).toBe("?q=stell");
    fireEvent.change(screen.getByRole("searchbox"), { target: { value: "" } });
    fireEvent.change(screen.getByRole("combobox"), { target: { value: "change" } });
    expect(cardOrder()).toEqual(["card-xlm", "card-btc", "card-eth"]);
    expect(window.location.search).toBe("?sort=change");
  });

  it("starts from the view in the URL", async () => {
    window.history.replaceState(null, "", "/?sort=price&q=e");
    renderBoard();
    await screen.findByText("Ethereum");
    expect(cardOrder()).toEqual(["card-eth", "card-xlm"]);
  });

  it("keeps favourites in localStorage and filters by them", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    fireEvent.click(screen.getByRole("button", { name: "Add ETH to favourites" }));
    expect(JSON.parse(localStorage.getItem("cryptostream.preferences")!).state.favourites).toEqual(["eth"]);
    fireEvent.click(screen.getByRole("button", { name: "★ Favourites" }));
    expect(cardOrder()).toEqual(["card-eth"]);
    expect(window.location.search).toBe("?favourites=1");
  });

  it("switches to a table and remembers it", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    fireEvent.click(screen.getByRole("button", { name: "Table" }));
    expect(screen.getByRole("table", { name: "Live prices" })).toBeTruthy();
    expect(screen.getAllByRole("row")).toHaveLength(4);
    expect(JSON.parse(localStorage.getItem("cryptostream.preferences")!).state.layout).toBe("table");
  });

  it("greys out a card the broadcaster says is stale, says which source feeds it and whether that is down, and not from the tick's age alone", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    const btc = () => screen.getByTestId("card-btc");
    // Two minutes old, but nobody said stale: only the age shows it.
    expect(within(btc()).getByTestId("age").textContent).toBe("2 min ago");
    expect(btc().getAttribute("data-stale")).toBeNull();

    const stale = { state: "stale" as const, since: now, lastTickAt: now - 120_000, source: "binance" };
    act(() => usePriceStore.getState().applyStatus({ symbols: { btc: stale }, sources: { binance: { state: "down", reason: "silent", since: now } } }, false));
    expect(btc().getAttribute("data-stale")).toBe("true");
    expect(btc().className).toContain("stale");
    expect(within(btc()).getByTestId("age").textContent).toBe("stale · 2 min ago");
    expect(within(btc()).getByTestId("source").textContent).toBe("binance down (silent)");
    expect(screen.getByTestId("card-eth").getAttribute("data-stale")).toBeNull();

    act(() =>
      usePriceStore.getState().applyStatus({ symbols: { btc: { ...stale, state: "fresh" } }, sources: { binance: { state: "up", since: now } } }, false),
    );
    expect(btc().getAttribute("data-stale")).toBeNull();
    expect(within(btc()).getByTestId("source").textContent).toBe("binance");
    // hello's whole state replaces what was known.
    act(() => usePriceStore.getState().applyStatus({ symbols: { eth: { ...stale } }, sources: {} }, true));
    expect(screen.getByTestId("card-eth").getAttribute("data-stale")).toBe("true");
  });

  it("re-renders only the card of the symbol that ticked when the order does not depend on prices", async () => {
    renderBoard();
    await screen.findByText("Bitcoin");
    const formatPrice = vi.spyOn(format, "formatPrice");
    act(() => usePriceStore.getState().applyTicks([tick("eth", 10, 3_401, -2)]));
    expect(formatPrice.mock.calls.map(([price]) => price)).toEqual([3_401]);
    formatPrice.mockRestore();
  });

  it.each(["cards", "table"] as const)("renders only the %s near the viewport when there are hundreds of coins", async (layout) => {
    usePreferences.setState({ layout });
    const many = Array.from({ length: 500 }, (_, i) => tick(`c${String(i).padStart(3, "0")}`, 100 + i, 1 + i, 0));
    act(() => usePriceStore.getState().applyTicks(many));
    renderBoard();
    await screen.findByText("Bitcoin");
    const rendered = layout === "cards" ? screen.getAllByRole("article") : screen.getAllByRole("row").slice(1);
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);
    if (layout === "cards") expect(rendered[0]!.getAttribute("aria-setsize")).toBe("503");
    else expect(screen.getByRole("table").getAttribute("aria-rowcount")).toBe("504");
  });
});
