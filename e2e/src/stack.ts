import { startBroadcaster, loadBroadcasterConfig, type BroadcasterService } from "@cryptostream/broadcaster";
import { PRICES_STREAM, createLogger, createMetrics, inboxPrefixFor, type NatsConnection } from "@cryptostream/core";
import { startHistory, loadHistoryConfig, type HistoryService } from "@cryptostream/history";
import { startIngest, loadIngestConfig, type IngestService } from "@cryptostream/ingest";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { startNatsServer, waitFor, type NatsServerHandle, type NatsServerOptions } from "@cryptostream/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { provisionAsOperator } from "./provisioned";

export interface Stack {
  nats: NatsServerHandle;
  sim: SimExchange;
  ingest: IngestService;
  broadcaster: BroadcasterService;
  history: HistoryService;
  /** A connection of the test's own, for looking into the stream. */
  nc: NatsConnection;
  /** Stops the broadcaster; `restartBroadcaster` brings a new one up on the same port. */
  stopBroadcaster(): Promise<void>;
  restartBroadcaster(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  symbols?: string[];
  /** Simulated exchange step; 0 steps only on `sim.tick()`. */
  intervalMs?: number;
  nats?: NatsServerOptions;
  /** Ingest's `SOURCES`: `binance` by default; with `coingecko` too, the simulated CoinGecko fills the assets bucket. */
  sources?: string;
  /** NATS user and password of each service (and of the test's own connection), when the server requires them; with them, the operator's provisions the streams first. */
  credentials?: Partial<Record<"ingest" | "broadcaster" | "history" | "test" | "operator", { user: string; pass: string }>>;
  /**
   * Whether history backfills candles from the simulated exchange. Off unless asked: the exchange
   * runs in this process and drawing a year of its past holds the event loop the services share.
   */
  backfill?: boolean;
  /** Past windows in which the simulated exchange did not trade: holes in its klines. */
  outages?: { fromMs: number; toMs: number }[];
  /** More variables for a service, for example shorter timeouts. */
  env?: Partial<Record<"ingest" | "broadcaster" | "history", Record<string, string>>>;
}

/**
 * The whole pipeline in one process on real sockets: nats-server, the simulated
 * exchange, ingest, broadcaster and history, each on a free port.
 */
export async function startStack({
  symbols = ["btc", "eth", "sol", "xlm"],
  intervalMs = 0,
  sources = "binance",
  nats: natsOptions,
  credentials = {},
  env: extraEnv = {},
  outages = [],
  backfill = false,
}: StackOptions = {}): Promise<Stack> {
  const nats = await startNatsServer(natsOptions);
  if (credentials.operator) await provisionAsOperator(nats.url, credentials.operator);
  const sim = await startSimExchange({ symbols, intervalMs, outages });
  const env = { NATS_URL: nats.url, LOG_LEVEL: "silent" };
  /** A service's own variables: its NATS user too, for the connection it reads windows on. */
  const envOf = (name: "ingest" | "broadcaster" | "history") => {
    const user = credentials[name];
    return { ...env, ...(user && { NATS_USER: user.user, NATS_PASSWORD: user.pass }), ...extraEnv[name] };
  };
  const deps = async (name: "ingest" | "broadcaster" | "history") => ({
    nc: await connect({ servers: nats.url, name, ...credentials[name], inboxPrefix: inboxPrefixFor(credentials[name]?.user) }),
    logger: createLogger({ service: name, level: "silent" }),
    metrics: createMetrics(name),
  });
  const connections: NatsConnection[] = [];
  const track = <T extends { nc: NatsConnection }>(d: T) => {
    connections.push(d.nc);
    return d;
  };

  const ingest = await startIngest({
    ...track(await deps("ingest")),
    config: loadIngestConfig({
      ...envOf("ingest"),
      INGEST_PORT: "0",
      SOURCES: sources,
      BINANCE_WS_URL: sim.binanceWsUrl,
      COINGECKO_API_URL: sim.coingeckoApiUrl,
      COINBASE_WS_URL: sim.coinbaseWsUrl,
      KRAKEN_WS_URL: sim.krakenWsUrl,
      SYMBOLS: symbols.join(","),
    }),
  });
  const startBroadcasterOn = async (port: number) =>
    startBroadcaster({
      ...track(await deps("broadcaster")),
      config: loadBroadcasterConfig({ ...envOf("broadcaster"), BROADCASTER_PORT: String(port), SIMULATED: "true" }),
    });
  let broadcaster = await startBroadcasterOn(0);
  const broadcasterPort = broadcaster.port;
  const history = await startHistory({
    ...track(await deps("history")),
    config: loadHistoryConfig({
      BINANCE_REST_URL: sim.binanceRestUrl,
      COINGECKO_API_URL: sim.coingeckoApiUrl,
      CANDLE_BACKFILL: String(backfill),
      ...envOf("history"),
      HISTORY_PORT: "0",
    }),
  });
  const nc = await connect({ servers: nats.url, name: "test", ...credentials.test });
  connections.push(nc);
  await waitFor("ingest to connect to the simulated exchange", () => sim.binanceClientCount() > 0);
  if (intervalMs === 0) await warmUp(sim, nc, symbols);

  return {
    nats,
    sim,
    ingest,
    get broadcaster() {
      return broadcaster;
    },
    history,
    nc,
    stopBroadcaster: () => broadcaster.close(),
    async restartBroadcaster() {
      await broadcaster.close();
      broadcaster = await startBroadcasterOn(broadcasterPort);
    },
    async close() {
      await Promise.allSettled([ingest.close(), broadcaster.close(), history.close()]);
      await Promise.allSettled(connections.map((c) => c.close()));
      await sim.close();
      await nats.cleanup();
    },
  };
}

/**
 * Makes the stack a running deployment rather than a new one: a new deployment's first price of
 * each symbol is held until the venue's next confirms it (ingest's tick gate), so two steps, and
 * every symbol in `PRICES`. A test's own step then flows at once.
 */
async function warmUp(sim: SimExchange, nc: NatsConnection, symbols: string[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  sim.tick();
  sim.tick();
  await waitFor("every symbol in PRICES", async () => (await jsm.streams.info(PRICES_STREAM)).state.num_subjects === symbols.length);
}
