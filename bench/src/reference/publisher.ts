// Venue ticks to TICKS at a steady rate, as ingest publishes them, in a process of its own so the
// measuring process's own work does not delay them. Each tick has a unique ts, which the reference
// tick it makes carries. Prints a ready line, then, when done, each tick's send time (ms since
// epoch, sub-millisecond) by `<symbol>:<ts>`.
import { tickMsgId, type Tick } from "@cryptostream/core";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

const [url, rateArg, secondsArg] = process.argv.slice(2);
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const BATCH_EVERY_MS = 5;
const VENUES = ["binance", "coinbase", "kraken"];
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `s${i}`);

const nc = await connect({ servers: url });
const js = jetstream(nc);
const now = () => performance.timeOrigin + performance.now();
const sentAt: [string, number][] = [];
const base = Date.now();
const perBatch = (RATE * BATCH_EVERY_MS) / 1_000;
let sent = 0;
console.log(JSON.stringify({ ready: true, venues: VENUES.length, symbols: SYMBOLS.length }));
const timer = setInterval(() => {
  for (let i = 0; i < perBatch; i++, sent++) {
    const symbol = SYMBOLS[sent % SYMBOLS.length]!;
    const venue = VENUES[Math.floor(sent / SYMBOLS.length) % VENUES.length]!;
    const tick: Tick = { symbol, price: 100 * (1 + Math.sin(sent) / 1_000), ts: base + sent, source: venue };
    sentAt.push([`${symbol}:${tick.ts}`, now()]);
    void js.publish(`ticks.${venue}.${symbol}`, JSON.stringify(tick), { msgID: tickMsgId(tick) });
  }
}, BATCH_EVERY_MS);
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
clearInterval(timer);
await nc.flush();
console.log(JSON.stringify({ sentAt }));
await nc.close();
