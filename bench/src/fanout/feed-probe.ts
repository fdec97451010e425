// What the live feed alone costs: a process that only follows PRICES (followPrices, as every
// fan-out server of the benchmark does) while ticks arrive in 50 bursts a second, and its CPU.
//   pnpm --dir bench exec tsx src/fanout/feed-probe.ts [ticks per burst, default 2]
// Bursts of 0, 2 and 20 ticks tell what each tick costs from what each wake-up of the process costs.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { followPrices } from "@cryptostream/broadcaster";
import { createLogger, ensurePricesStream, tickMsgId } from "@cryptostream/core";
import { cpuTimeMs, startNatsServer } from "@cryptostream/testing";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const BURSTS_PER_SECOND = 50;
const SECONDS = 10;

if (process.argv[2] === "follower") {
  const nc = await connect({ servers: process.argv[3] });
  let received = 0;
  await followPrices({ nc, logger: createLogger({ service: "feed", level: "warn" }), onTick: () => void received++, onReject: () => undefined });
  process.send!("ready");
  process.on("message", () => process.send!(received));
} else {
  const perBurst = Number(process.argv[2] ?? 2);
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await ensurePricesStream(nc, { maxAgeMs: 3_600_000, maxPerSubject: 100_000, duplicateWindowMs: 60_000 });
  const js = jetstream(nc);
  const follower = fork(fileURLToPath(import.meta.url), ["follower", nats.url], { execArgv: ["--import", "tsx"] });
  await new Promise((resolve) => follower.once("message", resolve));
  let counter = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perBurst; i++) {
      const tick = { symbol: `s${counter % 50}`, price: ++counter, ts: Date.now(), source: "bench" };
      void js.publish(`prices.${tick.symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
    }
  }, 1_000 / BURSTS_PER_SECOND);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const before = cpuTimeMs(follower.pid!);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const cpuMsPerSecond = (cpuTimeMs(follower.pid!) - before) / SECONDS;
  follower.send("count");
  const received = await new Promise((resolve) => follower.once("message", resolve));
  console.log(
    `followPrices, ${perBurst * BURSTS_PER_SECOND} ticks/s in ${BURSTS_PER_SECOND} bursts/s: ${cpuMsPerSecond.toFixed(1)} ms CPU per second (${received} ticks received)`,
  );
  clearInterval(timer);
  follower.kill("SIGKILL");
  await nc.close();
  await nats.cleanup();
  process.exit(0);
}
