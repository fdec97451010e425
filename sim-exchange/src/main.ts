import { createLogger, runService } from "@cryptostream/core";
import { loadSimConfig } from "./config";
import { startSimExchange } from "./server";

runService("sim-exchange", async () => {
  const config = loadSimConfig();
  const logger = createLogger({ service: "sim-exchange", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const service = await startSimExchange({
    port: config.SIM_PORT,
    host: config.SIM_HOST,
    symbols: config.SIM_SYMBOLS,
    intervalMs: config.SIM_INTERVAL,
    seed: config.SIM_SEED,
    volatility: config.SIM_VOLATILITY,
    logger,
  });
  return { service, logger };
});
