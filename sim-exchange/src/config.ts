import { duration, loadConfig, port, positiveInt, symbolList, z, type Env } from "@cryptostream/core";

export const simEnv = {
  SIM_PORT: port(9100),
  SIM_HOST: z.string().default("127.0.0.1"),
  SIM_SYMBOLS: symbolList("btc,eth,xrp,bnb,sol,usdc,trx,doge,ada,link,bch,xlm,sui,avax,ltc,hbar,shib,ton,dot,uni"),
  SIM_INTERVAL: duration("1s", { min: 10, max: 3_600_000 }),
  SIM_SEED: positiveInt(42, Number.MAX_SAFE_INTEGER),
  SIM_VOLATILITY: z.coerce.number().positive().max(100).default(0.8),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};

export function loadSimConfig(env: Env = process.env) {
  return loadConfig(simEnv, env);
}
