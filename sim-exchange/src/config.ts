import { duration, loadConfig, port, symbolList, z, type Env } from "@cryptostream/core";

export const simEnv = {
  SIM_PORT: port(9100),
  SIM_HOST: z.string().default("127.0.0.1"),
  SIM_SYMBOLS: symbolList("btc,eth,xrp,bnb,sol,usdc,trx,doge,ada,link,bch,xlm,sui,avax,ltc,hbar,shib,ton,dot,uni"),
  SIM_INTERVAL: duration("1s", { min: 10, max: 3_600_000 }),
  /** The same seed gives the same market; unset, every start draws a new one. */
  SIM_SEED: z.coerce
    .number()
    .int("must be a whole number")
    .min(0)
    .max(2 ** 31)
    .optional(),
  SIM_VOLATILITY: z.coerce.number().positive().max(100).default(0.8),
  /** How many times faster than a real market prices move: 1 is real, 30 a lively demo. */
  SIM_SPEED: z.coerce.number().positive().max(1_000).default(1),
  /** Where the market keeps its prices, so a restart continues from them; unset, it starts afresh. */
  SIM_STATE_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
};

export function loadSimConfig(env: Env = process.env) {
  return loadConfig(simEnv, env);
}
