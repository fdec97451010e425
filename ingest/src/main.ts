import { connectNats, createLogger, createMetrics, runService } from "@cryptostream/core";
import { startIngest } from "./app";
import { loadIngestConfig } from "./config";

runService("ingest", async () => {
  const config = loadIngestConfig();
  const logger = createLogger({ service: "ingest", level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const nc = await connectNats({
    url: config.NATS_URL,
    name: "ingest",
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    logger,
  });
  const ingest = await startIngest({ config, nc, logger, metrics: createMetrics("ingest") });
  const service = {
    async close() {
      await ingest.close();
      await nc.drain();
    },
  };
  return { service, logger };
});
