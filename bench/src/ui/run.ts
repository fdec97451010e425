// UI benchmark: the board in Debian's Chromium with hundreds of symbols each ticking
// several times a second, the real build against a build that renders every tick
// straight from the socket with no windowing. Both builds face the same live feed
// (ticks published into JetStream, a real broadcaster and history), one after the
// other, alternating, for the same time each. In the page: frames counted with
// requestAnimationFrame, long tasks with a PerformanceObserver; from Chromium's
// DevTools protocol: main-thread busy time, so CPU per tick shown can be compared.
//   pnpm --dir bench ui [--symbols 500] [--rate 2] [--seconds 60] [--rounds 1] [--builds cryptostream,baseline] [--pin]
// --pin: the feed (this process, nats-server, the broadcaster, history) on CPU 0 and Chromium alone
// on CPU 1, as on a viewer's machine, where the browser does not share its cores with the servers.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { startBroadcaster, loadBroadcasterConfig } from "@cryptostream/broadcaster";
import { createLogger, createMetrics, ensurePricesStream, type ServerMessage, type Tick } from "@cryptostream/core";
import { startHistory, loadHistoryConfig } from "@cryptostream/history";
import { TickPublisher } from "@cryptostream/ingest";
import { CHROMIUM_PATH, buildUi, launchChromium, serveUi, startNatsServer, type UiEntry } from "@cryptostream/testing";
import type { Browser } from "playwright-core";

const { values } = parseArgs({
  options: {
    symbols: { type: "string", default: "500" },
    rate: { type: "string", default: "2" },
    seconds: { type: "string", default: "60" },
    rounds: { type: "string", default: "1" },
    builds: { type: "string", default: "cryptostream,baseline" },
    pin: { type: "boolean", default: false },
  },
});
const symbolCount = Number(values.symbols);
const perSymbolRate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

let chromiumPath = CHROMIUM_PATH;
const wrapperDir = await mkdtemp(join(tmpdir(), "cryptostream-ui-bench-"));
if (values.pin) {
  // Before anything is started: nats-server and the rest inherit CPU 0.
  execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", "0", String(process.pid)], { stdio: "ignore" });
  chromiumPath = join(wrapperDir, "chromium-on-cpu-1");
  await writeFile(chromiumPath, `#!/bin/sh\nexec taskset --cpu-list 1 ${CHROMIUM_PATH} "$@"\n`, { mode: 0o755 });
}

const silent = (service: string) => ({ logger: createLogger({ service, level: "silent" }), metrics: createMetrics(service) });
const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 1_000, duplicateWindowMs: 60_000 });
const publisher = new TickPublisher({ nc, logger: createLogger({ service: "bench", level: "silent" }) });

// A random walk per symbol, with a 24 h change, as ingest would publish it.
const symbols = Array.from({ length: symbolCount }, (_, i) => `c${String(i).padStart(3, "0")}`);
const prices = symbols.map((_, i) => 1 + ((i * 7919) % 5000) / 10);
let sent = 0;
const tickOf = (index: number): Tick => {
  prices[index]! *= 1 + (Math.random() - 0.5) / 500;
  return {
    symbol: symbols[index]!,
    price: Number(prices[index]!.toPrecision(8)),
    ts: Date.now() + (sent++ % 1000) / 1000,
    source: "binance",
    change24h: (index % 21) - 10,
  };
};
symbols.forEach((_, i) => publisher.publish({ ...tickOf(i), ts: Date.now() - 1_000 + i }));
await publisher.flush();
const perSecond = symbolCount * perSymbolRate;
const started = performance.now();
let published = 0;
const publishing = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
  for (; published < due; published++) publisher.publish({ ...tickOf(published % symbolCount), ts: Date.now() });
}, 10);

const broadcaster = await startBroadcaster({
  nc,
  config: loadBroadcasterConfig({ NATS_URL: nats.url, BROADCASTER_PORT: "0", SIMULATED: "true" }),
  ...silent("broadcaster"),
});
const history = await startHistory({
  nc,
  config: loadHistoryConfig({ NATS_URL: nats.url, HISTORY_PORT: "0", CANDLE_BACKFILL: "false" }),
  ...silent("history"),
});
const allBuilds: { name: string; label: string; entry: UiEntry }[] = [
  { name: "cryptostream", label: "cryptostream (batched per frame, windowed)", entry: "app" },
  { name: "baseline", label: "baseline (every tick rendered from the socket, no windowing)", entry: "benchmark-baseline" },
];
const builds = allBuilds.filter((build) => values.builds.split(",").includes(build.name));
const dirs = await Promise.all(builds.map(() => mkdtemp(join(tmpdir(), "cryptostream-ui-bench-"))));
for (const [i, build] of builds.entries()) await buildUi(dirs[i]!, build.entry);
const servers = await Promise.all(dirs.map((dir) => serveUi(dir, { broadcasterPort: broadcaster.port, historyPort: history.port })));

/**
 * Runs in the page for `ms`: every animation frame's time, and every long task.
 * A string, so that the TypeScript transform of this file leaves no helper in it.
 */
const MEASURE_IN_PAGE = `async (ms) => {
  const frames = [];
  const longTasks = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((entry) => longTasks.push(entry.duration)));
  observer.observe({ type: "longtask" });
  // Long animation frames say which scripts ran in them: what a long task was.
  const slowFrames = [];
  const frameObserver = new PerformanceObserver((list) => list.getEntries().forEach((entry) => {
    if (entry.duration > 50) slowFrames.push({ ms: Math.round(entry.duration), blockingMs: Math.round(entry.blockingDuration), renderMs: Math.round(entry.startTime + entry.duration - entry.renderStart), scripts: entry.scripts.map((s) => s.invoker + " " + Math.round(s.duration) + "ms").slice(0, 4) });
  }));
  frameObserver.observe({ type: "long-animation-frame" });
  const start = performance.now();
  await new Promise((resolve) => {
    const frame = (at) => {
      frames.push(at);
      if (at - start < ms) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame(frame);
  });
  observer.disconnect();
  frameObserver.disconnect();
  const perSecond = Array.from({ length: Math.floor(ms / 1000) }, (_, s) => frames.filter((at) => at - start >= s * 1000 && at - start < (s + 1) * 1000).length);
  return { frames: frames.length, perSecond, longTasks, slowFrames };
}`;

interface Run {
  firstCardMs: number;
  fps: number;
  worstSecondFps: number;
  longTasks: number;
  longestTaskMs: number;
  busyPercent: number;
  ticksShown: number;
  busyMsPerThousandTicks: number;
}

async function measure(browser: Browser, url: string): Promise<Run> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let ticks = 0;
  let counting = false;
  page.on("websocket", (socket) =>
    socket.on("framereceived", ({ payload }) => {
      const message = JSON.parse(String(payload)) as ServerMessage;
      if (counting && message.type === "ticks") ticks += message.ticks.length;
    }),
  );
  await page.goto(url);
  const loadStarted = Date.now();
  await page.getByRole("article").first().waitFor({ timeout: 300_000 });
  const firstCardMs = Date.now() - loadStarted;
  await page.waitForTimeout(5_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const busy = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration")!.value;
  const busyBefore = await busy();
  counting = true;
  const inPage = (await page.evaluate(`(${MEASURE_IN_PAGE})(${seconds * 1_000})`)) as {
    frames: number;
    perSecond: number[];
    longTasks: number[];
    slowFrames: unknown[];
  };
  if (inPage.slowFrames.length > 0) {
    const longest = [...(inPage.slowFrames as { ms: number }[])].sort((a, b) => b.ms - a.ms).slice(0, 3);
    console.error(`${inPage.slowFrames.length} frames over 50 ms; the longest: ${JSON.stringify(longest)}`);
  }
  counting = false;
  const busyMs = ((await busy()) - busyBefore) * 1_000;
  await page.close();
  return {
    firstCardMs,
    fps: inPage.frames / seconds,
    worstSecondFps: Math.min(...inPage.perSecond),
    longTasks: inPage.longTasks.length,
    longestTaskMs: Math.max(0, ...inPage.longTasks),
    busyPercent: (busyMs / (seconds * 1_000)) * 100,
    ticksShown: ticks,
    busyMsPerThousandTicks: ticks > 0 ? (busyMs / ticks) * 1_000 : Number.NaN,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const browser = await launchChromium({ executablePath: chromiumPath });
const results: Run[][] = builds.map(() => []);
try {
  for (let round = 0; round < rounds; round++) {
    const order = builds.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const run = await measure(browser, servers[i]!.url);
      results[i]!.push(run);
      console.error(`round ${round + 1}, ${builds[i]!.label}: ${JSON.stringify(run)}`);
    }
  }
} finally {
  await browser.close();
  clearInterval(publishing);
  await Promise.all(servers.map((server) => server.close()));
  await broadcaster.close();
  await history.close();
  publisher.close();
  await nc.close();
  await nats.cleanup();
  await Promise.all([...dirs, wrapperDir].map((dir) => rm(dir, { recursive: true, force: true })));
}

const f = (x: number, digits = 1) => x.toFixed(digits);
console.log(
  `\n${symbolCount} symbols x ${perSymbolRate} ticks/s = ${perSecond} ticks/s; ${seconds} s per run, ${rounds} round(s); medians over rounds; Chromium ${browser.version()}, 1280x800${values.pin ? "; Chromium alone on CPU 1, the feed on CPU 0" : ""}\n`,
);
console.log("| build | first card after | fps | worst second | long tasks (>50 ms) | longest task | main thread busy | busy ms per 1,000 ticks shown |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const [i, build] of builds.entries()) {
  const runs = results[i]!;
  const m = (pick: (run: Run) => number) => median(runs.map(pick));
  console.log(
    `| ${build.label} | ${f(m((r) => r.firstCardMs) / 1_000)} s | ${f(m((r) => r.fps))} | ${f(
      m((r) => r.worstSecondFps),
      0,
    )} | ${m((r) => r.longTasks)} | ${f(
      m((r) => r.longestTaskMs),
      0,
    )} ms | ${f(
      m((r) => r.busyPercent),
      0,
    )}% | ${f(m((r) => r.busyMsPerThousandTicks))} |`,
  );
}
process.exit(0);
