import type { Clock } from "./clock";
import { isConfigError } from "./errors";
import { createLogger, type Logger } from "./logger";
import { createMetrics, type ServiceMetrics } from "./metrics";
import { connectNats, type NatsConnection } from "./nats";

export interface RunningService {
  /** Stops taking work, finishes what is in flight, releases everything. */
  close(): Promise<void>;
}

export const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Runs a service's `main`: a bad configuration exits 1 with a one-line message,
 * SIGTERM and SIGINT close the service, and a close slower than 10 s exits anyway.
 */
export function runService(name: string, main: () => Promise<{ service: RunningService; logger: Logger }>): void {
  main().then(
    ({ service, logger }) => {
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, `${name} shutting down`);
        const deadline = setTimeout(() => {
          logger.error(`${name} did not close within ${SHUTDOWN_DEADLINE_MS} ms, exiting`);
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS);
        deadline.unref();
        service.close().then(
          () => {
            logger.info(`${name} stopped`);
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, `${name} failed to close cleanly`);
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", () => shutdown("SIGTERM"));
      process.on("SIGINT", () => shutdown("SIGINT"));
    },
    (error: unknown) => {
      if (isConfigError(error)) {
        process.stderr.write(`${name}: ${error.message}\n`);
      } else {
        process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
      }
      process.exit(1);
    },
  );
}

/** Configuration every NATS-backed service has (see `commonEnv`). */
export interface NatsServiceConfig {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  LOG_LEVEL: string;
  LOG_FORMAT?: "json" | "pretty" | undefined;
}

export interface ServiceDeps<Config> {
  config: Config;
  nc: NatsConnection;
  logger: Logger;
  metrics: ServiceMetrics;
  /** What everything that waits or schedules goes by; the system clock unless a test gives its own. */
  clock?: Clock;
}

/**
 * The whole of a service's `main`: configuration, logger, NATS connection and
 * metrics, handed to `start`. On shutdown the service closes, then NATS drains.
 */
export function runNatsService<Config extends NatsServiceConfig>(
  name: string,
  loadConfig: () => Config,
  start: (deps: ServiceDeps<Config>) => Promise<RunningService>,
): void {
  runService(name, async () => {
    const config = loadConfig();
    const logger = createLogger({ service: name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
    const nc = await connectNats({
      url: config.NATS_URL,
      name,
      user: config.NATS_USER,
      password: config.NATS_PASSWORD,
      logger,
    });
    const running = await start({ config, nc, logger, metrics: createMetrics(name) });
    const service = {
      async close() {
        await running.close();
        await nc.drain();
      },
    };
    return { service, logger };
  });
}
