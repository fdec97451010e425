import type { Clock } from "./clock";
import { duration, positiveInt } from "./config";
import type { Logger } from "./logger";
import { connectNats, type NatsConnection } from "./nats";
import { WindowReadSlots } from "./window-read-slots";

/** What a service that reads windows of `PRICES` for clients configures (see `windowReadsEnv`). */
export interface WindowReadsConfig {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  WINDOW_READS_MAX: number;
  WINDOW_READS_PER_IP: number;
  WINDOW_READS_QUEUE: number;
  WINDOW_READS_WAIT: number;
}

/** The defaults of a service's window reads: each service has its own (see its config). */
export interface WindowReadsDefaults {
  max: number;
  perIp: number;
  queue: number;
  /** A duration such as `5s`. */
  wait: string;
}

/** The settings of a service's window reads, with its defaults. */
export function windowReadsEnv({ max, perIp, queue, wait }: WindowReadsDefaults) {
  return {
    /** Window reads running at once on this instance. */
    WINDOW_READS_MAX: positiveInt(max, 1_000),
    /** Of those, at most this many for one client address (running and waiting). */
    WINDOW_READS_PER_IP: positiveInt(perIp, 1_000_000),
    /** Reads waiting for a slot; past this, one is refused at once. */
    WINDOW_READS_QUEUE: positiveInt(queue, 100_000),
    /** How long a read may wait for a slot before it is refused. */
    WINDOW_READS_WAIT: duration(wait, { min: 10, max: 600_000 }),
  };
}

export interface WindowReads {
  /** The connection windows are read on. */
  windowNc: NatsConnection;
  windowSlots: WindowReadSlots;
}

/**
 * The window reads of a service that serves them to clients (the broadcaster's replays and
 * resumes, history's `/api/ticks`): on a NATS connection of their own, so one the server drops
 * as a slow consumer under a flood of reads is never the live feed's or the writer's; and in
 * slots, so a flood of them costs the instance a bounded number of reads at a time.
 */
export async function openWindowReads(config: WindowReadsConfig, name: string, logger: Logger, clock: Clock): Promise<WindowReads> {
  const windowNc = await connectNats({
    url: config.NATS_URL,
    name,
    user: config.NATS_USER,
    password: config.NATS_PASSWORD,
    logger: logger.child({ connection: "windows" }),
  });
  const windowSlots = new WindowReadSlots(
    {
      maxConcurrent: config.WINDOW_READS_MAX,
      maxPerClient: config.WINDOW_READS_PER_IP,
      maxQueued: config.WINDOW_READS_QUEUE,
      maxWaitMs: config.WINDOW_READS_WAIT,
    },
    clock,
  );
  return { windowNc, windowSlots };
}
