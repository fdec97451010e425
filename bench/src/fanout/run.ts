// Fan-out benchmark: ticks published into JetStream at a set rate, delivered to many WebSocket
// clients by (a) the socket floor: one pre-framed write per client per flush and nothing else,
// (b) the broadcaster, (c) a naive per-tick-per-client server, (d) nats-server's own WebSocket
// listener, and (e) the broadcaster to clients that ask for `?throttle=`. Load clients run in
// separate processes; server CPU comes from /proc.
//   pnpm --dir bench fanout [--clients 2000] [--symbols 50] [--rate 2] [--seconds 15] [--procs 2]
//     [--servers floor,cryptostream,naive,nats] [--throttle 250ms] [--rounds 1]   (add "throttled" to --servers)
// With several rounds the servers take turns in each, and each row is the round with the median CPU per delivery.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensurePricesStream, tickMsgId, type Tick } from "@cryptostream/core";
import { cpuTimeMs, freePort, rssBytes, startNatsServer, waitFor } from "@cryptostream/testing";
import { startTsProcess, stopProcess } from "../lib/process";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "2000" },
    symbols: { type: "string", default: "50" },
    rate: { type: "string", default: "2" },
    seconds: { type: "string", default: "15" },
    procs: { type: "string", default: "2" },
    servers: { type: "string", default: "floor,cryptostream,naive,nats" },
    throttle: { type: "string", default: "250ms" },
    rounds: { type: "string", default: "1" },
  },
});
const clients = Number(values.clients);
const symbolCount = Number(values.symbols);
const perSymbolRate = Number(values.rate);
const seconds = Number(values.seconds);
const procs = Number(values.procs);
const servers = values.servers.split(",");
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const wsPort = await freePort();
const nats = await startNatsServer({ extraConfig: `websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }\nmax_pending: 256MB` });
const nc = await connect({ servers: nats.url });
await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 100_000, duplicateWindowMs: 60_000 });
const js = jetstream(nc);
const symbols = Array.from({ length: symbolCount }, (_, i) => `s${i + 1}`);
let counter = 0;

/** Publishes ticks at symbols x rate per second, every tick's price a global counter, its ts the time of publish. */
function startPublishing(): () => void {
  const perSecond = symbolCount * perSymbolRate;
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    for (; sent < due; sent++) {
      const tick: Tick = { symbol: symbols[counter % symbolCount]!, price: ++counter, ts: Date.now(), source: "bench" };
      void js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    }
  }, 5);
  return () => clearInterval(timer);
}

interface Report {
  connected: number;
  closed: number;
  deliveries: number;
  gaps: number;
  duplicates: number;
  seconds: number;
  cpuMs: number;
  p50: number;
  p99: number;
  max: number;
  maxStaleMs: number;
  staleUnknown: number;
}
const ask = <T>(child: ChildProcess, command: string) =>
  new Promise<T>((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(command);
  });

async function run(server: string) {
  let pid: number;
  let url: string;
  let stopServer: () => Promise<void> = async () => undefined;
  if (server === "nats") {
    pid = nats.pid!;
    url = `ws://127.0.0.1:${wsPort}`;
  } else {
    const mode = server === "throttled" ? "cryptostream" : server;
    const started = await startTsProcess<{ port: number }>(here("./servers.ts"), [mode, nats.url], {}, ["--expose-gc", "--max-semi-space-size=1"]);
    pid = started.child.pid!;
    url = `ws://127.0.0.1:${started.ready.port}/ws${server === "throttled" ? `?throttle=${values.throttle}` : ""}`;
    stopServer = () => stopProcess(started.child);
  }
  /** RSS after a garbage collection (Node servers; nats-server is measured as it is). */
  const settledRss = async () => {
    if (server !== "nats") {
      process.kill(pid, "SIGUSR2");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    return rssBytes(pid);
  };
  const rssBefore = await settledRss();
  const loaders = Array.from({ length: procs }, (_, i) =>
    fork(
      here("./load-client.ts"),
      [server === "nats" ? "nats" : "cryptostream", url, String(Math.floor(clients / procs) + (i < clients % procs ? 1 : 0)), nats.url, String(symbolCount)],
      {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    ),
  );
  await waitFor(
    `${clients} clients to connect to ${server}`,
    async () => {
      const statuses = await Promise.all(loaders.map((l) => ask<{ connected: number }>(l, "status")));
      return statuses.reduce((sum, s) => sum + s.connected, 0) >= clients;
    },
    180_000,
  );
  const rssPerConnection = ((await settledRss()) - rssBefore) / clients;

  const stopPublishing = startPublishing();
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  loaders.forEach((l) => l.send("start"));
  const cpuBefore = cpuTimeMs(pid);
  const countBefore = counter;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const cpu = cpuTimeMs(pid) - cpuBefore;
  const ticksIn = counter - countBefore;
  const reports = await Promise.all(loaders.map((l) => ask<Report>(l, "report")));
  stopPublishing();
  loaders.forEach((l) => l.kill("SIGKILL"));
  await stopServer();
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  const deliveries = reports.reduce((sum, r) => sum + r.deliveries, 0);
  const worst = (key: "p50" | "p99" | "max" | "maxStaleMs") => Math.max(...reports.map((r) => r[key]));
  return {
    server,
    ticksPerSecond: ticksIn / seconds,
    asked: (ticksIn * clients) / seconds,
    delivered: deliveries / seconds,
    cpuUsPerDelivery: (cpu * 1_000) / Math.max(deliveries, 1),
    cpuUsPerClientSecond: (cpu * 1_000) / (clients * seconds),
    serverCpuPercent: (cpu / (seconds * 1_000)) * 100,
    p50: worst("p50"),
    p99: worst("p99"),
    max: worst("max"),
    maxStaleMs: worst("maxStaleMs"),
    staleUnknown: reports.reduce((sum, r) => sum + r.staleUnknown, 0),
    gaps: reports.reduce((sum, r) => sum + r.gaps, 0),
    duplicates: reports.reduce((sum, r) => sum + r.duplicates, 0),
    closed: reports.reduce((sum, r) => sum + r.closed, 0),
    rssKbPerConnection: rssPerConnection / 1024,
    clientCpuPercent: (reports.reduce((sum, r) => sum + r.cpuMs, 0) / (seconds * 1_000)) * 100,
  };
}

console.log(
  `${clients} clients in ${procs} load processes, ${symbolCount} symbols x ${perSymbolRate}/s, ${seconds} s measured after 3 s warm-up` +
    (servers.includes("throttled") ? `; "throttled" is the broadcaster with ?throttle=${values.throttle}` : ""),
);
console.log(
  "| server | ticks/s in | deliveries/s asked | delivered/s | server CPU µs/delivery | × floor | server CPU µs per client-second | server CPU % | p50 ms | p99 ms | max ms | max stale ms | gaps | dups | closed | RSS KB/conn | load clients CPU % |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
type Result = Awaited<ReturnType<typeof run>>;
const rounds = Number(values.rounds);
const results = new Map<string, Result[]>(servers.map((server) => [server, []]));
for (let round = 0; round < rounds; round++) for (const server of servers) results.get(server)!.push(await run(server));
const median = (rows: Result[]) => [...rows].sort((a, b) => a.cpuUsPerDelivery - b.cpuUsPerDelivery)[(rows.length - 1) >> 1]!;
const floorUs = results.has("floor") ? median(results.get("floor")!).cpuUsPerDelivery : undefined;
for (const server of servers) {
  const r = median(results.get(server)!);
  const ratio = floorUs === undefined || server === "throttled" ? "" : (r.cpuUsPerDelivery / floorUs).toFixed(2);
  // A throttled client skips ticks by design: its "gaps" are what it was spared.
  const gaps = server === "throttled" ? `(${r.gaps} skipped)` : String(r.gaps);
  const stale = r.staleUnknown > 0 ? `${r.maxStaleMs} (${r.staleUnknown} unknown)` : String(r.maxStaleMs);
  console.log(
    `| ${r.server} | ${r.ticksPerSecond.toFixed(0)} | ${r.asked.toFixed(0)} | ${r.delivered.toFixed(0)} | ${r.cpuUsPerDelivery.toFixed(2)} | ${ratio} | ${r.cpuUsPerClientSecond.toFixed(1)} | ${r.serverCpuPercent.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${stale} | ${gaps} | ${r.duplicates} | ${r.closed} | ${r.rssKbPerConnection.toFixed(1)} | ${r.clientCpuPercent.toFixed(0)} |`,
  );
}
if (rounds > 1) {
  for (const server of servers)
    console.log(
      `${server}: µs/delivery by round ${results
        .get(server)!
        .map((r) => r.cpuUsPerDelivery.toFixed(2))
        .join(", ")}`,
    );
}
await nc.close();
await nats.cleanup();
process.exit(0);
