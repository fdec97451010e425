import { isConfigError } from "./errors";
import type { Logger } from "./logger";

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
