import type { SequencedTick } from "@cryptostream/core/contracts";
import { describe, expect, it } from "vitest";
import { searchFromView, selectRows, viewFromSearch, type BoardRow } from "./board";

const row = (symbol: string, name: string, price: number, change24h: number | undefined, rank?: number): BoardRow => ({
  symbol,
  name,
  tick: { symbol, price, ts: 1, source: "binance", seq: 1, ...(change24h === undefined ? {} : { change24h }) } as SequencedTick,
  asset: rank === undefined ? undefined : { symbol, name, coingeckoId: name.toLowerCase(), marketCapRank: rank },
});
const rows = [
  { ...row("btc", "Bitcoin", 98_000, 1.5, 1), change1h: 0.2, change7d: -3 },
  { ...row("eth", "Ethereum", 3_400, -2, 2), change1h: -0.5, change7d: 8 },
  { ...row("xlm", "Stellar", 0.45, 4, 19), change7d: 1 },
  row("sol", "Solana", 240, undefined),
];
const symbols = (selected: BoardRow[]) => selected.map((r) => r.symbol);

describe("selectRows", () => {
  it.each([
    ["rank", ["btc", "eth", "xlm", "sol"]],
    ["name", ["btc", "eth", "sol", "xlm"]],
    ["price", ["btc", "eth", "sol", "xlm"]],
    ["change", ["xlm", "btc", "eth", "sol"]],
    ["change1h", ["btc", "eth", "sol", "xlm"]],
    ["change7d", ["eth", "xlm", "btc", "sol"]],
  ] as const)("sorts by %s", (sort, expected) => {
    expect(symbols(selectRows(rows, { query: "", sort, favouritesOnly: false }, new Set()))).toEqual(expected);
  });

  it("searches symbols and names, case-insensitively, and filters favourites", () => {
    expect(symbols(selectRows(rows, { query: "ST", sort: "name", favouritesOnly: false }, new Set()))).toEqual(["xlm"]);
    expect(symbols(selectRows(rows, { query: "e", sort: "name", favouritesOnly: false }, new Set()))).toEqual(["eth", "xlm"]);
    expect(symbols(selectRows(rows, { query: "", sort: "name", favouritesOnly: true }, new Set(["sol", "btc"])))).toEqual(["btc", "sol"]);
  });
});

describe("the view in the URL", () => {
  it("round-trips and falls back to defaults for what it does not know", () => {
    const view = { query: "sol", sort: "change" as const, favouritesOnly: true };
    expect(viewFromSearch(searchFromView(view))).toEqual(view);
    expect(searchFromView({ query: "", sort: "rank", favouritesOnly: false })).toBe("");
    expect(viewFromSearch("?sort=volume&q=")).toEqual({ query: "", sort: "rank", favouritesOnly: false });
  });
});
