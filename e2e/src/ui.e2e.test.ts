import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { PRICES_STREAM, visitTickWindow, type SequencedTick, type ServerMessage, type SymbolsResponse } from "@cryptostream/core";
import { buildUi, launchChromium, serveUi, waitFor } from "@cryptostream/testing";
import type { Browser, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClient } from "./reliability/checks";
import { startStack, type Stack } from "./stack";

/** With SCREENSHOT_DIR set (`make screenshots`), the page at desktop and phone widths, for the README. */
async function screenshotsOf(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  for (const [label, size] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(size);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await page.screenshot({ path: `${dir}/${name}-${label}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("the UI in Chromium against the running stack", () => {
  let stack: Stack;
  let ui: PreviewServer & { url: string };
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const consoleProblems: string[] = [];
  /** Requests to any other origin than the UI server's: the demo must work with no internet. */
  const foreignRequests: string[] = [];
  const feedUrls: string[] = [];
  /** Every message the page received since it was last loaded, in order. */
  const frames: ServerMessage[] = [];
  let pageLoads = 0;
  const screenshots = (name: string) => screenshotsOf(page, name);
  /** Loads the board afresh (a new client as far as the broadcaster knows) and waits for its prices. */
  const openBoard = async () => {
    pageLoads++;
    feedUrls.length = 0;
    frames.length = 0;
    await page.goto(ui.url);
    await page.getByTestId("card-eth").getByTestId("price").waitFor({ timeout: 15_000 });
  };

  beforeAll(async () => {
    // With the simulated CoinGecko too: its /coins/markets gives every coin a name and an icon.
    // A symbol is stale after 2 s without a tick, so the test can halt one and see its card greyed.
    // The exchange was down for maintenance for an hour five hours ago: its klines have a hole there, which the 24H chart must show.
    const maintenance = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
    stack = await startStack({
      intervalMs: 200,
      sources: "binance,coinbase,kraken,coingecko",
      env: { broadcaster: { STALE_AFTER: "2s" } },
      outages: [{ fromMs: maintenance, toMs: maintenance + 3_600_000 }],
      backfill: true,
    });
    outDir = await mkdtemp(join(tmpdir(), "cryptostream-ui-"));
    await buildUi(outDir);
    ui = await serveUi(outDir, { broadcasterPort: stack.broadcaster.port, historyPort: stack.history.port });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Every frame the page receives, on every connection: what the browser saw, checked against the stream.
    page.on("websocket", (socket) => {
      const openedFor = pageLoads;
      feedUrls.push(socket.url());
      socket.on("framereceived", ({ payload }) => {
        if (openedFor !== pageLoads) return; // a late frame for a page since left
        frames.push(JSON.parse(String(payload)) as ServerMessage);
      });
    });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") consoleProblems.push(message.text());
    });
    page.on("pageerror", (error) => consoleProblems.push(error.message));
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.protocol !== "data:" && url.origin !== new URL(ui.url).origin) foreignRequests.push(request.url());
    });
  });

  afterAll(async () => {
    // The stack goes first: its broadcaster closes the page's WebSocket cleanly (1001)
    // instead of the browser resetting it under the UI server's proxy.
    await stack?.broadcaster.close();
    await page?.close();
    await browser?.close();
    await ui?.close();
    await stack?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("shows live prices that change, with a live status and no console errors", async () => {
    await openBoard();
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 15_000 }).toBe("Live");

    const price = page.getByTestId("card-btc").getByTestId("price");
    await price.waitFor({ timeout: 15_000 });
    const first = await price.textContent();
    expect(first).toMatch(/^\$\d{1,3}(,\d{3})*\.\d{2}$/);
    await expect.poll(() => price.textContent(), { timeout: 15_000 }).not.toBe(first);

    await expect.poll(() => page.getByTestId("simulated-banner").isVisible()).toBe(true);
    for (const symbol of ["eth", "sol", "xlm"]) {
      await expect.poll(() => page.getByTestId(`card-${symbol}`).getByTestId("price").textContent()).toMatch(/^\$/);
    }
    await expect.poll(() => page.locator(".price-chart polyline.sparkline[points*=' ']").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(consoleProblems).toEqual([]);
  });

  it("loads nothing from any other origin: the simulated exchange's coin icons come with the data", async () => {
    await openBoard();
    // The icons arrive with the assets, from the simulated CoinGecko's first poll.
    const icon = page.getByTestId("card-btc").locator("img.coin-icon");
    await expect.poll(() => icon.getAttribute("src"), { timeout: 15_000 }).toMatch(/^data:image\/svg\+xml,/);
    await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(foreignRequests).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });

  it("filters the board by search and keeps the search in the URL", async () => {
    await page.getByRole("searchbox").fill("so");
    await expect.poll(() => page.getByRole("article").count()).toBe(1);
    expect(await page.getByRole("article").getAttribute("data-testid")).toBe("card-sol");
    expect(new URL(page.url()).search).toBe("?q=so");
    await page.getByRole("searchbox").fill("");
    await expect.poll(() => page.getByRole("article").count()).toBe(4);
    expect(consoleProblems).toEqual([]);
  });

  it("opens a coin's detail chart, replays a recent window and goes back to live", async () => {
    await page.getByTestId("card-btc").getByRole("link").click();
    expect(new URL(page.url()).pathname).toBe("/coin/btc");
    await expect.poll(() => page.locator(".detail-chart .recharts-line-curve").count(), { timeout: 15_000 }).toBe(1);
    // Each venue's latest price beside the reference price: the three exchanges used, CoinGecko on standby.
    const venues = page.getByRole("region", { name: "Venues" });
    await expect.poll(() => venues.locator("tbody tr").count(), { timeout: 15_000 }).toBe(4);
    for (const venue of ["binance", "coinbase", "kraken"]) expect(await page.getByTestId(`venue-${venue}`).locator("td").last().textContent()).toBe("yes");
    expect(await page.getByTestId("venue-coingecko").textContent()).toContain("standby");
    expect(await venues.getByRole("heading").textContent()).toContain("median of 3");
    await screenshots("coin");
    await page.getByRole("button", { name: "5 min", exact: true }).click();
    await expect.poll(() => page.getByTestId("replay-time").textContent(), { timeout: 15_000 }).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await page.getByRole("button", { name: "60×" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Play" }).count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole("button", { name: "Back to live" }).click();
    await page.getByRole("link", { name: "← All coins" }).click();
    await expect.poll(() => page.getByRole("article").count()).toBe(4);
    expect(consoleProblems).toEqual([]);
  });

  it("draws the 7D chart of /coin/btc in candles within seconds of opening it, the range kept in the URL", async () => {
    await page.goto(new URL("/coin/btc?range=7d", ui.url).href);
    // Backfilled from the simulated exchange's klines: 7 days of hourly candles, then the forming one.
    const candles = page.locator('[data-testid="candle-chart"] [data-testid="candle"]');
    await expect.poll(() => candles.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(160);
    expect(await page.getByRole("button", { name: "7D" }).getAttribute("aria-pressed")).toBe("true");
    // The crosshair tooltip: time, open, high, low and close of the bar under the pointer.
    const box = (await page.getByTestId("candle-chart").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId("chart-tooltip").textContent(), { timeout: 5_000 }).toMatch(/O.+H.+L.+C/);
    await screenshots("coin-7d");
    expect(consoleProblems).toEqual([]);
  });

  it("leaves the exchange's missing hour empty in the 24H chart: no candles there, and no line drawn across it", async () => {
    await page.goto(new URL("/coin/btc?range=7d", ui.url).href);
    await page.getByRole("button", { name: "24H" }).click();
    const chart = page.getByTestId("candle-chart");
    await expect.poll(() => chart.getAttribute("data-bars"), { timeout: 10_000 }).toMatch(/^28[89]$/);
    await expect.poll(async () => Number(await chart.getAttribute("data-filled")), { timeout: 10_000 }).toBeGreaterThan(250);
    // Twelve 5-minute bars of the hour with no trading have no candle.
    const bars = Number(await chart.getAttribute("data-bars"));
    const filled = Number(await chart.getAttribute("data-filled"));
    expect(bars - filled).toBeGreaterThanOrEqual(12);
    expect(await page.locator('[data-testid="candle"]').count()).toBe(filled);
    await page.getByRole("button", { name: "Line" }).click();
    expect(new URL(page.url()).search).toBe("?range=24h&chart=line");
    // Recharts starts a new subpath (M) after every empty slot: the line breaks at the gap.
    const path = (await page.locator('[data-testid="candle-chart"] .recharts-line-curve').getAttribute("d")) ?? "";
    expect(path.match(/M/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    await page.reload();
    expect(await page.getByRole("button", { name: "Line" }).getAttribute("aria-pressed")).toBe("true");
    expect(consoleProblems).toEqual([]);
  });

  it.each([
    ["a desktop", { width: 1280, height: 800 }],
    ["a phone", { width: 390, height: 844 }],
  ])("draws the coin page to fit on %s: price labels inside the chart, time labels apart, the venue table within the screen", async (_, size) => {
    await page.setViewportSize(size);
    try {
      for (const range of ["24h", "live"]) {
        await page.goto(new URL(`/coin/btc?range=${range}`, ui.url).href);
        const chart = page.getByTestId(range === "live" ? "detail-chart" : "candle-chart");
        // Recharts draws the labels in layers of their own, not inside their axis: told apart by orientation.
        const ticks = (axis: string) => chart.locator(`text.recharts-cartesian-axis-tick-value[orientation="${axis === "xAxis" ? "bottom" : "left"}"]`);
        // Live: enough ticks for the time axis to span several labels.
        await expect.poll(() => ticks("xAxis").count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
        await expect.poll(() => ticks("yAxis").count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
        // Read in one go from the page: the labels are drawn again with every tick.
        const { left, labels } = await chart.evaluate((element) => ({
          left: element.getBoundingClientRect().x,
          labels: Array.from(element.querySelectorAll("text.recharts-cartesian-axis-tick-value")).map((text) => {
            const box = text.getBoundingClientRect();
            return { axis: text.getAttribute("orientation"), text: text.textContent ?? "", x: box.x, width: box.width };
          }),
        }));
        for (const label of labels.filter((l) => l.axis === "left")) {
          expect(label.text).toMatch(/^\$[\d,]+(\.\d+)?$/);
          expect(label.x, `${range}: "${label.text}" cut at the chart's left edge`).toBeGreaterThanOrEqual(left);
        }
        const times = labels.filter((l) => l.axis === "bottom").sort((a, b) => a.x - b.x);
        times.slice(1).forEach((label, i) => {
          const before = times[i]!;
          expect(label.x, `${range}: "${before.text}" and "${label.text}" overlap`).toBeGreaterThanOrEqual(before.x + before.width);
        });
      }
      const table = (await page.locator(".venue-table").boundingBox())!;
      expect(table.x + table.width).toBeLessThanOrEqual(size.width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    expect(consoleProblems).toEqual([]);
  });

  it("gives one 24-hour change in the coin page's header, its 24H chart and the board: the price against the candles' close 24 h before", async () => {
    const symbols = (await (await fetch(`http://127.0.0.1:${stack.history.port}/api/symbols`)).json()) as SymbolsResponse;
    const btc = symbols.symbols.find((entry) => entry.symbol === "btc")!;
    expect(btc.changes?.["24h"]).toBeDefined();
    const base = btc.latest.price / (1 + btc.changes!["24h"]! / 100);
    /** The first percentage of a text (a card's change is its 24-hour change, then its 7-day one). */
    const percent = (text: string) => Number(/([+\u2212]?[\d.]+)%/.exec(text)![1]!.replace("\u2212", "-"));
    const price = (text: string) => Number(text.replace(/[$,]/g, ""));
    await page.goto(new URL("/coin/btc?range=24h", ui.url).href);
    await page.getByTestId("range-change").waitFor({ timeout: 15_000 });
    // Read together, from one render: the header's and the chart's are the same number.
    await expect
      .poll(
        () =>
          page.evaluate(() => [
            document.querySelector('[data-testid="change-24h"]')?.textContent,
            document.querySelector('[data-testid="range-change"]')?.textContent,
          ]),
        {
          timeout: 10_000,
        },
      )
      .toSatisfy(([header, chart]) => header !== undefined && header === chart);
    await openBoard();
    const [cardPrice, cardChange] = await page
      .getByTestId("card-btc")
      .evaluate((card) => [card.querySelector('[data-testid="price"]')!.textContent!, card.querySelector('[data-testid="change"]')!.textContent!]);
    // The base moves at most a 5-minute bar between /api/symbols' answers: within a few hundredths of a percent.
    expect(Math.abs(percent(cardChange) - (price(cardPrice) / base - 1) * 100)).toBeLessThan(0.2);
  });

  it("shows each coin's 7-day change from the candles on the board, and sorts by it", async () => {
    await openBoard();
    const changes = (await (await fetch(`http://127.0.0.1:${stack.history.port}/api/symbols`)).json()) as {
      symbols: { symbol: string; changes: { "7d"?: number } }[];
    };
    await expect.poll(() => page.getByTestId("card-btc").getByTestId("change-7d").count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole("combobox").selectOption("change7d");
    const expected = [...changes.symbols].sort((a, b) => (b.changes["7d"] ?? -Infinity) - (a.changes["7d"] ?? -Infinity)).map((s) => s.symbol);
    const order = async () =>
      (await page.locator("article.price-card").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-testid")))).map((id) => id!.slice(5));
    await expect.poll(order, { timeout: 10_000 }).toEqual(expected);
    expect(new URL(page.url()).search).toBe("?sort=change7d");
  });

  it("can be used with the keyboard alone, with the focus always visible", async () => {
    await openBoard();
    await page.getByTestId("card-btc").getByTestId("price").waitFor({ timeout: 15_000 });
    /** Presses Tab until the focused element matches, checking each focused element shows a focus ring. */
    const tabTo = async (matches: () => boolean, what: string) => {
      for (let presses = 0; presses < 40; presses++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const element = document.activeElement!;
          const style = getComputedStyle(element);
          return { tag: element.tagName, outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0, html: element.outerHTML.slice(0, 80) };
        });
        expect(focused.outline, `no visible focus on ${focused.html}`).toBe(true);
        if (await page.evaluate(matches)) return;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabTo(() => document.activeElement?.getAttribute("type") === "search", "the search box");
    await page.keyboard.type("eth");
    await expect.poll(() => page.getByRole("article").count()).toBe(1);
    await tabTo(() => document.activeElement?.getAttribute("href") === "/coin/eth", "Ethereum's link");
    await page.keyboard.press("Enter");
    await expect.poll(() => new URL(page.url()).pathname).toBe("/coin/eth");
    await tabTo(() => document.activeElement?.textContent === "5 min", "the 5 min replay button");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("replay-time").textContent(), { timeout: 15_000 }).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    await tabTo(() => document.activeElement?.textContent === "Back to live", "Back to live");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByTestId("replay-time").count()).toBe(0);
    await openBoard();
    expect(consoleProblems).toEqual([]);
  });

  const storedSeq = async () => (await (await jetstreamManager(stack.nc)).streams.info(PRICES_STREAM)).state.last_seq;
  const streamUpTo = async (toSeq: number) => {
    const stream: SequencedTick[] = [];
    await visitTickWindow(stack.nc, { fromSeq: 1, toSeq, limit: 1_000_000 }, { onTick: (tick) => void stream.push(tick) });
    return stream;
  };
  const ticksIn = (messages: ServerMessage[]) => messages.flatMap((m) => (m.type === "ticks" || m.type === "snapshot" ? m.ticks : []));
  /** Index of the first message at or after `from` that `match` accepts, once it has arrived. */
  const frameIndex = (from: number, match: (message: ServerMessage) => boolean, what: string) =>
    waitFor(what, () => {
      const index = frames.findIndex((message, i) => i >= from && match(message));
      return index >= 0 ? index : undefined;
    });

  it("greys out a card the broadcaster reports stale, saying its source, and brings it back when the symbol trades again", async () => {
    await openBoard();
    const sol = page.getByTestId("card-sol");
    expect(await sol.getAttribute("data-stale")).toBeNull();
    stack.sim.market.setHalted("sol", true);
    await expect.poll(() => sol.getAttribute("data-stale"), { timeout: 15_000 }).toBe("true");
    // Polled: once, under the full suite's load, the age still read a fresh "2 s ago" just after the card turned stale.
    await expect.poll(() => sol.getByTestId("age").textContent(), { timeout: 15_000 }).toMatch(/^stale · /);
    expect(await sol.getByTestId("source").textContent()).toBe("index");
    expect(await sol.evaluate((card) => getComputedStyle(card).filter)).toBe("grayscale(1)");
    expect(await page.getByTestId("card-btc").getAttribute("data-stale")).toBeNull();
    stack.sim.market.setHalted("sol", false);
    await expect.poll(() => sol.getAttribute("data-stale"), { timeout: 15_000 }).toBeNull();
  });

  it("keeps the board's feed throttled, yet ending at the latest tick of every symbol", async () => {
    await openBoard();
    expect(feedUrls[0]).toMatch(/\/ws\?throttle=250ms$/);
    const stream = await streamUpTo(await storedSeq());
    const latest = new Map(stream.map((tick) => [tick.symbol, tick.seq]));
    const seen = () => {
      const received = new Map<string, number>();
      for (const tick of ticksIn(frames)) received.set(tick.symbol, Math.max(tick.seq, received.get(tick.symbol) ?? 0));
      return [...latest].every(([symbol, seq]) => (received.get(symbol) ?? 0) >= seq);
    };
    await expect.poll(seen, { timeout: 15_000 }).toBe(true);
    // Throttled: the board skips ticks of the stream (here 5 a second per symbol), which a coin page does not.
    const liveSeqs = () => ticksIn(frames.filter((m) => m.type === "ticks")).map((tick) => tick.seq);
    await expect.poll(() => liveSeqs().length, { timeout: 15_000 }).toBeGreaterThan(60);
    const seqs = liveSeqs();
    expect(new Set(seqs).size).toBe(seqs.length);
    const streamSince = (await streamUpTo(Math.max(...seqs))).filter((tick) => tick.seq >= Math.min(...seqs));
    expect(seqs.length).toBeLessThan(streamSince.length);
    await screenshots("board");
  });

  it("gives a coin page every tick, and resumes it without a gap after the broadcaster is back, showing reconnecting meanwhile", async () => {
    await openBoard();
    const onBoard = frames.length;
    await page.getByTestId("card-eth").getByRole("link").click();
    const subscribed = await frameIndex(onBoard, (m) => m.type === "subscribed" && m.throttle === undefined, "the throttle turned off");
    const snapshot = await frameIndex(subscribed, (m) => m.type === "snapshot", "a snapshot of every symbol");
    const price = page.getByTestId("price");
    await stack.stopBroadcaster();
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 15_000 }).toMatch(/^Reconnecting in \d+ s$/);
    const whileDown = await price.textContent();
    // Ticks go on into the stream while the page cannot see them; it must get every one of them after.
    const downAt = await storedSeq();
    await expect.poll(storedSeq).toBeGreaterThan(downAt + 10);
    await stack.restartBroadcaster();
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 30_000 }).toBe("Live");
    await expect.poll(() => price.textContent(), { timeout: 15_000 }).not.toBe(whileDown);

    // It resumes after its last seq, with the epoch of the stream that seq belongs to, and no throttle.
    const { created } = await (await jetstreamManager(stack.nc)).streams.info(PRICES_STREAM);
    expect(feedUrls.at(-1)).toMatch(new RegExp(`/ws\\?resume=\\d+&epoch=${encodeURIComponent(created).replace(/\./g, "\\.")}$`));
    // What the page had received by now: frames keep arriving while the stream is read, and any seq
    // past the end of that read would count as unknown (this test's rare failure until then).
    const received = ticksIn(frames.slice(snapshot + 1).filter((m) => m.type === "ticks")).map((tick) => tick.seq);
    const snapshotSeq = Math.max(...ticksIn([frames[snapshot]!]).map((tick) => tick.seq));
    const stream = await streamUpTo(Math.max(...received));
    const seen = checkClient({ symbols: undefined, snapshotSeq, received }, stream);
    expect(seen.expected).toBeGreaterThan(10);
    expect(seen, `seqs received: ${received.join(",")}; snapshot ${snapshotSeq}; urls ${feedUrls.join(" ")}`).toMatchObject({
      missing: 0,
      duplicated: 0,
      unknown: 0,
    });
    // The browser logs the failed reconnect attempts while the server is down; nothing else may appear.
    expect(consoleProblems.filter((problem) => !/WebSocket connection to .* failed/.test(problem))).toEqual([]);
  });
});
