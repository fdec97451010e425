import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./stack";

const uiRoot = fileURLToPath(new URL("../../ui", import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Builds the UI afresh and serves it with `/ws` and `/api` proxied to the stack, as `make demo` does. */
async function serveUi(stack: Stack, outDir: string): Promise<PreviewServer> {
  process.env.BROADCASTER_URL = `http://127.0.0.1:${stack.broadcaster.port}`;
  process.env.HISTORY_URL = `http://127.0.0.1:${stack.history.port}`;
  process.env.UI_PORT = "0";
  const configFile = `${uiRoot}/vite.config.ts`;
  // Vitest runs with NODE_ENV=test, which would give a development build of React.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  await build({ root: uiRoot, configFile, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true } });
  process.env.NODE_ENV = nodeEnv;
  return preview({ root: uiRoot, configFile, logLevel: "warn", build: { outDir }, preview: { host: "127.0.0.1", strictPort: false } });
}

/** With SCREENSHOT_DIR set (`make screenshots`), the page at desktop and phone widths, for the README. */
async function screenshotsOf(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  for (const [label, size] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await page.screenshot({ path: `${dir}/${name}-${label}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("the UI in Chromium against the running stack", () => {
  let stack: Stack;
  let ui: PreviewServer;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const consoleProblems: string[] = [];
  const screenshots = (name: string) => screenshotsOf(page, name);

  beforeAll(async () => {
    stack = await startStack({ intervalMs: 200 });
    outDir = await mkdtemp(join(tmpdir(), "cryptostream-ui-"));
    ui = await serveUi(stack, outDir);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") consoleProblems.push(message.text());
    });
    page.on("pageerror", (error) => consoleProblems.push(error.message));
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
    await page.goto(ui.resolvedUrls!.local[0]!);
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
    await expect.poll(() => page.locator(".price-chart .recharts-line-curve").count(), { timeout: 15_000 }).toBeGreaterThan(0);
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

  it("shows reconnecting while the broadcaster is down, and live prices again once it is back", async () => {
    const price = page.getByTestId("card-eth").getByTestId("price");
    await stack.stopBroadcaster();
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 15_000 }).toMatch(/^Reconnecting in \d+ s$/);
    const whileDown = await price.textContent();
    await stack.restartBroadcaster();
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 30_000 }).toBe("Live");
    await expect.poll(() => price.textContent(), { timeout: 15_000 }).not.toBe(whileDown);
    // The browser logs the failed reconnect attempts while the server is down; nothing else may appear.
    expect(consoleProblems.filter((problem) => !/WebSocket connection to .* failed/.test(problem))).toEqual([]);
    await screenshots("board");
  });
});
