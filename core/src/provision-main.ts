// `pnpm provision`: creates and updates every stream and bucket, as the operator NATS user.
import { commonEnv, loadConfig, streamEnv } from "./config";
import { pricesStreamSettings } from "./jetstream";
import { createLogger } from "./logger";
import { connectNats } from "./nats";
import { provision, provisionViewerMirrors, viewersOperator } from "./provision";

try {
  const config = loadConfig({ ...commonEnv, ...streamEnv });
  const logger = createLogger({ service: "provision", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const nc = await connectNats({ url: config.NATS_URL, name: "provision", user: config.NATS_USER, password: config.NATS_PASSWORD, logger });
  const settings = pricesStreamSettings(config);
  try {
    await provision(nc, settings, logger);
  } finally {
    await nc.close();
  }
  // With users (nats-users.conf), the viewers have an account of their own: their mirrors there.
  if (config.NATS_USER) {
    const user = viewersOperator(config.NATS_USER);
    const viewers = await connectNats({ url: config.NATS_URL, name: "provision-viewers", user, password: config.NATS_PASSWORD, logger });
    try {
      await provisionViewerMirrors(viewers, settings, logger);
    } finally {
      await viewers.close();
    }
  }
} catch (error) {
  process.stderr.write(`provision: ${(error as Error).message}\n`);
  process.exit(1);
}
