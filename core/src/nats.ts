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

/** The oldest nats-server CryptoStream runs on: window reads of several symbols filter with `filter_subjects`. */
export const NATS_SERVER_FLOOR = { major: 2, minor: 10 } as const;

/**
 * Why a nats-server of this version cannot serve CryptoStream, or undefined when it can. On 2.9
 * NATS.js refuses every consumer with `filter_subjects`, so the service would start and then fail
 * each window read of several symbols: it is refused at the start instead.
 */
export function unsupportedServerReason(version: string | undefined): string | undefined {
  const [major, minor] = (version ?? "").split(".").map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) return `nats-server reported no version ("${version ?? ""}")`;
  const { major: floorMajor, minor: floorMinor } = NATS_SERVER_FLOOR;
  if (major > floorMajor || (major === floorMajor && minor >= floorMinor)) return undefined;
  return `nats-server ${version} is older than ${floorMajor}.${floorMinor}, the oldest CryptoStream runs on (docs/running.md#nats-server)`;
}

/**
 * Connects to NATS, waiting for the server if it is not up yet, and reconnecting
 * forever afterwards. Every status change is logged. Refused credentials and a server older
 * than {@link NATS_SERVER_FLOOR} are configuration errors: the service cannot start with them.
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
  const unsupported = unsupportedServerReason(nc.info?.version);
  if (unsupported) {
    await nc.close();
    throw new ConfigError(`NATS at ${url}: ${unsupported}`);
  }
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
