import { connect } from "@nats-io/transport-node";
import { createLogger, createMetrics } from "@cryptostream/core";
import { startSimExchange, type SimExchange } from "@cryptostream/sim-exchange";
import { startNatsServer } from "@cryptostream/testing";
import { startIngest } from "../src/app";
import { loadIngestConfig } from "../src/config";

/**
 * A nats-server, the simulated exchange and one ingest on them; `env` adds to ingest's
 * configuration, `prepare` sets the exchange up before ingest connects.
 */
export async function ingestOnSim(symbols: string[], env: Record<string, string>, prepare?: (sim: SimExchange) => void) {
  const server = await startNatsServer();
  const sim = await startSimExchange({ intervalMs: 0, symbols });
  prepare?.(sim);
  const nc = await connect({ servers: server.url });
  const metrics = createMetrics("ingest");
  const config = loadIngestConfig({
    NATS_URL: server.url,
    INGEST_PORT: "0",
    SYMBOLS: symbols.join(","),
    BINANCE_WS_URL: sim.binanceWsUrl,
    COINGECKO_API_URL: sim.coingeckoApiUrl,
    COINBASE_WS_URL: sim.coinbaseWsUrl,
    KRAKEN_WS_URL: sim.krakenWsUrl,
    ...env,
  });
  const ingest = await startIngest({ config, nc, logger: createLogger({ service: "ingest", level: "silent" }), metrics });
  return {
    server,
    sim,
    nc,
    metrics,
    ingest,
    async close() {
      await ingest.close();
      await nc.close();
      await sim.close();
      await server.cleanup();
    },
  };
}
