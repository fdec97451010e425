// `pnpm provision`: creates and updates every stream and bucket (and the viewers' mirrors), as the operator NATS user.
import { commonEnv, loadConfig, streamEnv } from "./config";
import { pricesStreamSettings } from "./jetstream";
import { createLogger } from "./logger";
import { provisionAll } from "./provision";

try {
  const config = loadConfig({ ...commonEnv, ...streamEnv });
  const logger = createLogger({ service: "provision", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  await provisionAll({ url: config.NATS_URL, user: config.NATS_USER, password: config.NATS_PASSWORD }, pricesStreamSettings(config), logger);
} catch (error) {
  process.stderr.write(`provision: ${(error as Error).message}\n`);
  process.exit(1);
}
