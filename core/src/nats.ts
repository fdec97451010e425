import { AuthorizationError, connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { ConfigError } from "./errors";
import type { Logger } from "./logger";

export type { NatsConnection };

export interface NatsOptions {
  url: string;
  name: string;
  user?: string | undefined;
  password?: string | undefined;
  logger: Logger;
}

/**
 * The inbox prefix of a NATS user: replies to a user's requests and its window deliveries
 * arrive under it, and nats-users.conf lets only that user subscribe there, so no other
 * user can read them. Without a user (a server without authorization) the NATS default.
 */
export function inboxPrefixFor(user: string | undefined): string {
  return user ? `_INBOX_${user}` : "_INBOX";
}

/** A new inbox subject under the connection's own prefix. */
export function newInbox(nc: NatsConnection): string {
  return createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix ?? "");
}

/**
 * Connects to NATS, waiting for the server if it is not up yet, and reconnecting
 * forever afterwards. Every status change is logged. Refused credentials are a
 * configuration error: the service cannot start with them.
 */
export async function connectNats({ url, name, user, password, logger }: NatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(","),
    name,
    user,
    pass: password,
    inboxPrefix: inboxPrefixFor(user),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    reconnectJitter: 500,
    waitOnFirstConnect: true,
  }).catch((error: unknown) => {
    if (error instanceof AuthorizationError) {
      throw new ConfigError(`NATS at ${url} refused user "${user ?? "(none)"}": ${error.message}; check NATS_USER and NATS_PASSWORD`);
    }
    throw error;
  });
  logger.info({ server: nc.getServer() }, "nats connected");
  void logStatus(nc, logger);
  return nc;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case "ping":
        break;
      case "error":
      case "disconnect":
      case "staleConnection":
      case "slowConsumer":
        logger.warn({ status }, `nats ${status.type}`);
        break;
      default:
        logger.info({ status }, `nats ${status.type}`);
    }
  }
}
