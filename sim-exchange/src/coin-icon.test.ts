import { describe, expect, it } from "vitest";
import { coinIconUrl } from "./coin-icon";

describe("coinIconUrl", () => {
  it("is an SVG data URL with the symbol's letters, its colour the same every time and different between coins", () => {
    const btc = coinIconUrl("btc");
    expect(btc).toMatch(/^data:image\/svg\+xml,/);
    const svg = decodeURIComponent(btc.slice("data:image/svg+xml,".length));
    expect(svg).toContain(">BTC</text>");
    expect(coinIconUrl("btc")).toBe(btc);
    const fill = (url: string) => /fill="(hsl[^"]+)"/.exec(decodeURIComponent(url))![1];
    expect(fill(coinIconUrl("eth"))).not.toBe(fill(btc));
  });
});
