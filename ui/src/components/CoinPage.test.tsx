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
