import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { ASSETS_BUCKET, HISTORY_DEPTH, PRICE_HISTORY_BUCKET, PRICE_SUBJECTS, PRICES_STREAM } from "./contracts/names";

const NANOS_PER_MS = 1_000_000;

export interface PricesStreamSettings {
  maxAgeMs: number;
  maxPerSubject: number;
  duplicateWindowMs: number;
  replicas?: number;
}

/** The stream settings of a service's configuration (see `streamEnv`). */
export function pricesStreamSettings(config: {
  PRICES_MAX_AGE: number;
  PRICES_MAX_PER_SUBJECT: number;
  PRICES_DUPLICATE_WINDOW: number;
  JETSTREAM_REPLICAS: number;
}): PricesStreamSettings {
  return {
    maxAgeMs: config.PRICES_MAX_AGE,
    maxPerSubject: config.PRICES_MAX_PER_SUBJECT,
    duplicateWindowMs: config.PRICES_DUPLICATE_WINDOW,
    replicas: config.JETSTREAM_REPLICAS,
  };
}

export function pricesStreamConfig(settings: PricesStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: PRICES_STREAM,
    subjects: [PRICE_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: settings.maxAgeMs * NANOS_PER_MS,
    max_msgs_per_subject: settings.maxPerSubject,
    duplicate_window: Math.min(settings.duplicateWindowMs, settings.maxAgeMs) * NANOS_PER_MS,
    num_replicas: settings.replicas ?? 1,
  };
}

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates `PRICES`, or brings an existing one to these settings. Safe to call from
 * every service at once: a lost creation race turns into an update.
 */
export async function ensurePricesStream(nc: NatsConnection, settings: PricesStreamSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = pricesStreamConfig(settings);
  try {
    await jsm.streams.info(PRICES_STREAM);
  } catch (error) {
    if (!isApiError(error, STREAM_NOT_FOUND)) throw error;
    try {
      await jsm.streams.add(config);
      return;
    } catch (addError) {
      if (!isApiError(addError, STREAM_NAME_IN_USE)) throw addError;
    }
  }
  await jsm.streams.update(PRICES_STREAM, config);
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** Opens `price_history`, creating it (history {@link HISTORY_DEPTH}, file storage) when missing. */
export async function ensurePriceHistoryBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(PRICE_HISTORY_BUCKET, { history: HISTORY_DEPTH, replicas });
}

/** Opens `assets`, creating it (history 1, file storage) when missing. */
export async function ensureAssetsBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return new Kvm(nc).create(ASSETS_BUCKET, { history: 1, replicas });
}

/**
 * Pull expiry for the services' long-running consumers. After a reconnect nats.js
 * checks the consumer and, while JetStream is not back yet, waits one `expires`
 * before it checks again: with the default 30 s, a broadcaster fell silent for
 * half a minute after every nats-server restart (found by `make chaos`).
 */
export const LIVE_CONSUMER_EXPIRES_MS = 2_000;
