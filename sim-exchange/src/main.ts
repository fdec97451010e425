import { createLogger, runService } from "@cryptostream/core";
import { loadSimConfig } from "./config";
import { loadMarketPrices, saveMarketPrices } from "./market-state";
import { startSimExchange } from "./server";

const SAVE_EVERY_MS = 5_000;

runService("sim-exchange", async () => {
  const config = loadSimConfig();
  const logger = createLogger({ service: "sim-exchange", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const stateFile = config.SIM_STATE_FILE;
  const startPrices = stateFile ? await loadMarketPrices(stateFile) : undefined;
  const service = await startSimExchange({
    port: config.SIM_PORT,
    host: config.SIM_HOST,
    symbols: config.SIM_SYMBOLS,
    intervalMs: config.SIM_INTERVAL,
    ...(config.SIM_SEED !== undefined && { seed: config.SIM_SEED }),
    volatility: config.SIM_VOLATILITY,
    speed: config.SIM_SPEED,
    ...(startPrices && { startPrices }),
    logger,
  });
  logger.info({ seed: service.market.seed, continued: startPrices !== undefined, speed: config.SIM_SPEED }, "market drawn");
  if (!stateFile) return { service, logger };
  const save = () => saveMarketPrices(stateFile, service.market).catch((error: Error) => logger.warn({ err: error.message }, "could not save the market"));
  const timer = setInterval(save, SAVE_EVERY_MS);
  return {
    service: {
      async close() {
        clearInterval(timer);
        await service.close();
        await save();
      },
    },
    logger,
  };
});
