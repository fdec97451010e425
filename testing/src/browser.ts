import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";

const uiRoot = fileURLToPath(new URL("../../ui", import.meta.url));

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Launches Debian's Chromium headless; `executablePath` may name a wrapper that starts it (a benchmark pinning it to a core). */
export function launchChromium({ executablePath = CHROMIUM_PATH }: { executablePath?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The UI's entries: the app, and the UI benchmark's baseline (`ui/bench/`), which no production build holds. */
export type UiEntry = "app" | "benchmark-baseline";

/** Builds a UI entry for production into `outDir`. */
export async function buildUi(outDir: string, entry: UiEntry = "app"): Promise<void> {
  const saved = { ...process.env };
  // Vitest runs with NODE_ENV=test, which would give a development build of React.
  Object.assign(process.env, { NODE_ENV: "production" });
  const root = entry === "app" ? uiRoot : `${uiRoot}/bench`;
  try {
    await build({ root, configFile: `${uiRoot}/vite.config.ts`, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true } });
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** Serves a built UI on a free port with `/ws` and `/api` proxied, as `make demo` does. */
export async function serveUi(outDir: string, upstream: { broadcasterPort: number; historyPort: number }): Promise<PreviewServer & { url: string }> {
  Object.assign(process.env, {
    BROADCASTER_URL: `http://127.0.0.1:${upstream.broadcasterPort}`,
    HISTORY_URL: `http://127.0.0.1:${upstream.historyPort}`,
    UI_PORT: "0",
  });
  const server = await preview({
    root: uiRoot,
    configFile: `${uiRoot}/vite.config.ts`,
    logLevel: "warn",
    build: { outDir },
    preview: { host: "127.0.0.1", strictPort: false },
  });
  return Object.assign(server, { url: server.resolvedUrls!.local[0]! });
}
