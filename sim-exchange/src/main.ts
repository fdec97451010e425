import { createLogger, duration, loadConfig, port, positiveInt, runService, symbolList, z } from "@cryptostream/core";
import { startSimExchange } from "./server";

runService("sim-exchange", async () => {
  const config = loadConfig({
    SIM_PORT: port(9100),
    SIM_HOST: z.string().default("127.0.0.1"),
    SIM_SYMBOLS: symbolList("btc,eth,xrp,bnb,sol,usdc,trx,doge,ada,link,bch,xlm,sui,avax,ltc,hbar,shib,ton,dot,uni"),
    SIM_INTERVAL: duration("1s", { min: 10, max: 3_600_000 }),
    SIM_SEED: positiveInt(42, Number.MAX_SAFE_INTEGER),
    SIM_VOLATILITY: z.coerce.number().positive().default(0.8),
    LOG_LEVEL: z.string().default("info"),
    LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  });
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
