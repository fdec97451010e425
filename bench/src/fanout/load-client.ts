// A lean load client: opens N WebSocket connections, counts the ticks each receives, checks
// that each connection sees every tick counter once and in order, and samples latency from the
// tick's `ts` (set by the publisher just before it publishes). Prints one JSON report on SIGTERM.
//   protocol "cryptostream": the broadcaster's, the floor's and the naive server's JSON messages
//   protocol "nats": the NATS protocol over nats-server's WebSocket listener, subscribed to prices.>
// Staleness: how long a connection went on showing a symbol's tick after a newer one was
// published, measured against every tick's publish time, read from NATS by this process.
import { connect } from "@nats-io/transport-node";
import WebSocket from "ws";

const [protocol = "cryptostream", url = "ws://127.0.0.1:8080/ws", countText = "100", natsUrl = "", symbolsText = "50"] = process.argv.slice(2);
const count = Number(countText);
const symbolCount = Number(symbolsText);
/** Publish time of each tick by its counter (its price); the publisher goes round the symbols in turn. */
const publishedAt: number[] = [];
if (natsUrl) {
  const nc = await connect({ servers: natsUrl });
  nc.subscribe("prices.>", {
    callback: (_error, message) => {
      const tick = message.json<{ price: number; ts: number }>();
      publishedAt[tick.price] = tick.ts;
    },
  });
}
let maxStaleMs = 0;
let staleUnknown = 0;
const MAX_SAMPLES = 2_000_000;
const latencies = new Float64Array(MAX_SAMPLES);
let samples = 0;
let deliveries = 0;
let gaps = 0;
let duplicates = 0;
let connected = 0;
let closed = 0;
let measuring = false;
let cpuAtStart = process.cpuUsage();
let measureStart = 0;

interface ConnectionState {
  last: number;
  /** Last counter shown per symbol index. */
  shown: Float64Array;
}
const newState = (): ConnectionState => ({ last: 0, shown: new Float64Array(symbolCount) });

/** A tick replaces the one shown for its symbol: how long had a newer one than that been published? */
function recordStaleness(counter: number, ts: number, state: ConnectionState) {
  const index = (counter - 1) % symbolCount;
  const previous = state.shown[index]!;
  state.shown[index] = counter;
  if (!measuring || previous === 0 || !natsUrl) return;
  const firstNewer = counter === previous + symbolCount ? ts : publishedAt[previous + symbolCount];
  if (firstNewer === undefined) staleUnknown++;
  else maxStaleMs = Math.max(maxStaleMs, Date.now() - firstNewer);
}

function record(counter: number, ts: number, state: ConnectionState) {
  recordStaleness(counter, ts, state);
  if (!measuring) {
    state.last = counter;
    return;
  }
  deliveries++;
  if (state.last > 0) {
    if (counter <= state.last) duplicates++;
    else if (counter > state.last + 1) gaps += counter - state.last - 1;
  }
  state.last = Math.max(state.last, counter);
  if (samples < MAX_SAMPLES) latencies[samples++] = Date.now() - ts;
}

function openCryptoStream() {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const state = newState();
  socket.on("open", () => connected++);
  socket.on("close", () => closed++);
  socket.on("error", () => undefined);
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString()) as { type: string; ticks?: { price: number; ts: number }[] };
    if (message.type !== "ticks") return;
    for (const tick of message.ticks!) record(tick.price, tick.ts, state);
  });
}

function openNats() {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const state = newState();
  let buffer = "";
  socket.on("open", () => {
    connected++;
    socket.send('CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\nSUB prices.> 1\r\n');
  });
  socket.on("close", () => closed++);
  socket.on("error", () => undefined);
  socket.on("message", (data) => {
    buffer += data.toString();
    for (;;) {
      const lineEnd = buffer.indexOf("\r\n");
      if (lineEnd === -1) return;
      const line = buffer.slice(0, lineEnd);
      if (line.startsWith("MSG ")) {
        const size = Number(line.slice(line.lastIndexOf(" ") + 1));
        if (buffer.length < lineEnd + 2 + size + 2) return;
        const payload = buffer.slice(lineEnd + 2, lineEnd + 2 + size);
        buffer = buffer.slice(lineEnd + 2 + size + 2);
        const tick = JSON.parse(payload) as { price: number; ts: number };
        record(tick.price, tick.ts, state);
        continue;
      }
      buffer = buffer.slice(lineEnd + 2);
      if (line === "PING") socket.send("PONG\r\n");
    }
  });
}

const open = protocol === "nats" ? openNats : openCryptoStream;
let opened = 0;
const opener = setInterval(() => {
  for (let i = 0; i < 200 && opened < count; i++, opened++) open();
  if (opened >= count) clearInterval(opener);
}, 20);

process.on("message", (command) => {
  if (command === "status") process.send!({ connected, closed });
  if (command === "start") {
    measuring = true;
    cpuAtStart = process.cpuUsage();
    measureStart = performance.now();
  }
  if (command === "report") {
    const cpu = process.cpuUsage(cpuAtStart);
    const sorted = latencies.subarray(0, samples).sort();
    const at = (q: number) => (samples ? sorted[Math.min(samples - 1, Math.floor(q * samples))]! : 0);
    process.send!({
      connected,
      closed,
      deliveries,
      gaps,
      duplicates,
      seconds: (performance.now() - measureStart) / 1000,
      cpuMs: (cpu.user + cpu.system) / 1000,
      p50: at(0.5),
      p99: at(0.99),
      max: samples ? sorted[samples - 1]! : 0,
      maxStaleMs,
      staleUnknown,
    });
  }
});
