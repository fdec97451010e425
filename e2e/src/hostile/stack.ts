import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PRICES_STREAM, inboxPrefixFor, type NatsConnection } from "@cryptostream/core";
import { freePort, natsUserHashes, startNatsServer, waitFor, type NatsServerHandle } from "@cryptostream/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { provisionAsOperator } from "../provisioned";
import { ServiceProcess } from "../reliability/service-process";

const usersConf = fileURLToPath(new URL("../../../nats-users.conf", import.meta.url));

export const PASSWORDS = {
  ingest: "ingest-secret-1",
  broadcaster: "broadcaster-secret-2",
  history: "history-secret-3",
  viewer: "viewer-secret-4",
  replay: "replay-secret-5",
  operator: "operator-secret-6",
} as const;
export type NatsUser = keyof typeof PASSWORDS;

export const SYMBOLS = Array.from({ length: 20 }, (_, i) => `coin${i}`);

export interface HostileStackOptions {
  /** Ticks stored in PRICES before the services start. */
  storedTicks: number;
  /** Live ticks a second while the suite runs. */
  liveRate: number;
  broadcasterEnv?: Record<string, string>;
  historyEnv?: Record<string, string>;
}

export interface HostileStack {
  nats: NatsServerHandle;
  broadcaster: ServiceProcess;
  history: ServiceProcess;
  /** A connection as `user`, with its own inbox prefix as the services have. */
  connectAs(user: NatsUser): Promise<NatsConnection>;
  /** Seq of the last tick stored before the live ticks began. */
  lastSeededSeq: number;
  close(): Promise<void>;
}

/**
 * nats-server with nats-users.conf, a `PRICES` stream of `storedTicks` ticks, live ticks
 * at `liveRate`, and the broadcaster and history as real processes under their own NATS
 * users, behind one trusted proxy hop (`TRUST_PROXY=1`), as docker-compose runs them.
 */
export async function startHostileStack(options: HostileStackOptions): Promise<HostileStack> {
  const nats = await startNatsServer({
    include: [usersConf],
    env: natsUserHashes(PASSWORDS),
  });
  const connectAs = (user: NatsUser) =>
    connect({
      servers: nats.url,
      name: `hostile-${user}`,
      user,
      pass: PASSWORDS[user],
      inboxPrefix: user === "viewer" ? "_INBOX" : inboxPrefixFor(user),
      maxReconnectAttempts: -1,
    });
  await provisionAsOperator(nats.url, { user: "operator", pass: PASSWORDS.operator });
  const ingest = await connectAs("ingest");
  const lastSeededSeq = await seed(ingest, options.storedTicks);
  const ticker = startTicker(ingest, options.liveRate);

  const logs = await mkdtemp(join(tmpdir(), "cryptostream-hostile-"));
  /** A service as a process under its own NATS user, on a free port, behind one trusted proxy hop. */
  const service = async (name: "broadcaster" | "history", env: Record<string, string> = {}) => {
    const port = await freePort();
    const portVariable = `${name.toUpperCase()}_PORT`;
    const serviceEnv = {
      NATS_URL: nats.url,
      LOG_LEVEL: "warn",
      TRUST_PROXY: "1",
      NATS_USER: name,
      NATS_PASSWORD: PASSWORDS[name],
      [portVariable]: String(port),
      CANDLE_BACKFILL: "false",
      ...env,
    };
    return new ServiceProcess(name, name, port, serviceEnv, join(logs, `${name}.log`));
  };
  const broadcaster = await service("broadcaster", options.broadcasterEnv);
  const history = await service("history", options.historyEnv);
  await Promise.all([broadcaster.start(), history.start()]);

  return {
    nats,
    broadcaster,
    history,
    connectAs,
    lastSeededSeq,
    async close() {
      clearInterval(ticker);
      await Promise.allSettled([broadcaster.kill("SIGTERM"), history.kill("SIGTERM")]);
      broadcaster.close();
      history.close();
      await ingest.close();
      await nats.cleanup();
      await rm(logs, { recursive: true, force: true });
    },
  };
}

function tickJson(symbol: string, price: number, ts: number): string {
  return JSON.stringify({ symbol, price, ts, source: "binance" });
}

/** Stores `count` ticks as fast as the server takes them (core publishes, which the stream stores). */
async function seed(nc: NatsConnection, count: number): Promise<number> {
  const startTs = Date.now() - 3_600_000;
  for (let i = 0; i < count; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length]!;
    nc.publish(`prices.${symbol}`, tickJson(symbol, 100 + (i % 1_000), startTs + Math.floor((i * 3_000_000) / Math.max(count, 1))));
    if (i % 10_000 === 9_999) await nc.flush();
  }
  await nc.flush();
  const jsm = await jetstreamManager(nc);
  await waitFor("the seeded ticks stored", async () => (await jsm.streams.info(PRICES_STREAM)).state.messages >= count, 60_000);
  return (await jsm.streams.info(PRICES_STREAM)).state.last_seq;
}

/** Publishes live ticks stamped with the time they leave, so a client can tell how late each arrives. */
function startTicker(nc: NatsConnection, perSecond: number): ReturnType<typeof setInterval> {
  let next = 0;
  const everyMs = 10;
  const perInterval = perSecond / (1_000 / everyMs);
  let owed = 0;
  return setInterval(() => {
    owed += perInterval;
    for (; owed >= 1; owed--) {
      const symbol = SYMBOLS[next++ % SYMBOLS.length]!;
      nc.publish(`prices.${symbol}`, tickJson(symbol, 100 + (next % 1_000), Date.now()));
    }
  }, everyMs);
}
