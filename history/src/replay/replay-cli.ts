import { parseArgs } from "node:util";
import { PRICE_SUBJECT_PREFIX, commonEnv, connectNats, createLogger, isValidSymbol, loadConfig, parseTimeBound, visitTickWindow } from "@cryptostream/core";
import { createReplayer } from "./replay";
import { MAX_WINDOW_LIMIT } from "../http/ticks-query";

const USAGE = `Usage: pnpm replay --since 10m [--until <time>] [--symbols btc,eth] [--limit N] [--speed 10] [--to <subject prefix>]

Prints the ticks PRICES keeps for a window as JSON lines, or, with --to, republishes
them under <prefix>.<symbol> (for example --to replay.prices) at --speed times the
speed they happened (default 1), so any NATS tool can watch a past window live.
Times: ms since epoch, an ISO time, or a duration back from now (15m, 2h). NATS_URL picks the server.`;

function fail(message: string): never {
  process.stderr.write(`replay: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const OPTIONS = {
  since: { type: "string", default: "10m" },
  until: { type: "string" },
  symbols: { type: "string" },
  limit: { type: "string", default: String(MAX_WINDOW_LIMIT) },
  speed: { type: "string" },
  to: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  const values = parseOptions();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const now = Date.now();
  const sinceMs = parseTimeBound(values.since, now);
  if (sinceMs === undefined) fail(`--since "${values.since}" is not a time`);
  const untilMs = values.until === undefined ? now : parseTimeBound(values.until, now);
  if (untilMs === undefined) fail(`--until "${values.until}" is not a time`);
  const symbols = values.symbols?.split(",").map((s) => s.trim()) ?? [];
  const badSymbol = symbols.find((s) => !isValidSymbol(s));
  if (badSymbol !== undefined) fail(`--symbols: "${badSymbol}" is not a symbol`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) fail(`--limit "${values.limit}" is not a positive integer`);
  const speed = values.speed === undefined ? (values.to ? 1 : undefined) : Number(values.speed);
  if (speed !== undefined && !(speed > 0)) fail(`--speed "${values.speed}" is not a positive number`);
  const prefix = values.to;
  if (prefix !== undefined) {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) fail(`--to "${prefix}" is not a subject prefix`);
    if (prefix === PRICE_SUBJECT_PREFIX || prefix.startsWith(`${PRICE_SUBJECT_PREFIX}.`)) {
      fail(`--to "${prefix}" would republish into the live PRICES stream; pick another prefix such as replay.prices`);
    }
  }

  const config = loadConfig({ ...commonEnv, LOG_LEVEL: commonEnv.LOG_LEVEL.default("warn") });
  const logger = createLogger({ service: "replay", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const nc = await connectNats({ url: config.NATS_URL, name: "replay", user: config.NATS_USER, password: config.NATS_PASSWORD, logger });
  const replay = createReplayer({
    speed,
    emit: prefix
      ? (tick) => nc.publish(`${prefix}.${tick.symbol}`, JSON.stringify(tick))
      : (tick) => {
          process.stdout.write(`${JSON.stringify(tick)}\n`);
        },
  });
  const count = await visitTickWindow(nc, { symbols, sinceMs, untilMs, limit }, { onTick: replay });
  await nc.drain();
  process.stderr.write(`replay: ${count} ticks ${prefix ? `republished under ${prefix}.<symbol>` : "printed"}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`replay: ${(error as Error).message}\n`);
  process.exit(1);
});
