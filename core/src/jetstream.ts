import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { CANDLE_SUBJECTS, CANDLES_PER_SUBJECT, CANDLES_STREAM } from "./contracts/candles";
import {
  ASSETS_BUCKET,
  HISTORY_DEPTH,
  HISTORY_WRITER_BUCKET,
  PRICE_HISTORY_BUCKET,
  PRICE_SUBJECTS,
  PRICES_STREAM,
  WRITER_LEASE_MS,
  priceSubject,
} from "./contracts/names";
import { TICKS_STREAM, VENUE_TICK_SUBJECTS } from "./contracts/venues";
import { formatDuration } from "./config";
import { ConfigError, isPublishError } from "./errors";
import type { Logger } from "./logger";

const NANOS_PER_MS = 1_000_000;

export interface PricesStreamSettings {
  maxAgeMs: number;
  maxPerSubject: number;
  duplicateWindowMs: number;
  replicas?: number;
  /** Whether a retention smaller than the stream's may be applied (`PRICES_ALLOW_SHRINK`). */
  allowShrink?: boolean;
}

/** The stream settings of a service's configuration (see `streamEnv`). */
export function pricesStreamSettings(config: {
  PRICES_MAX_AGE: number;
  PRICES_MAX_PER_SUBJECT: number;
  PRICES_DUPLICATE_WINDOW: number;
  PRICES_ALLOW_SHRINK?: boolean;
  JETSTREAM_REPLICAS: number;
}): PricesStreamSettings {
  return {
    maxAgeMs: config.PRICES_MAX_AGE,
    maxPerSubject: config.PRICES_MAX_PER_SUBJECT,
    duplicateWindowMs: config.PRICES_DUPLICATE_WINDOW,
    replicas: config.JETSTREAM_REPLICAS,
    allowShrink: config.PRICES_ALLOW_SHRINK ?? false,
  };
}

/** The two streams of ticks, kept alike: the reference prices (`PRICES`) and every venue's own (`TICKS`). */
export const TICK_STREAMS = {
  [PRICES_STREAM]: PRICE_SUBJECTS,
  [TICKS_STREAM]: VENUE_TICK_SUBJECTS,
} as const;
export type TickStreamName = keyof typeof TICK_STREAMS;

export function pricesStreamConfig(settings: PricesStreamSettings, stream: TickStreamName = PRICES_STREAM): Partial<StreamConfig> & { name: string } {
  return {
    name: stream,
    subjects: [TICK_STREAMS[stream]],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: settings.maxAgeMs * NANOS_PER_MS,
    max_msgs_per_subject: settings.maxPerSubject,
    duplicate_window: Math.min(settings.duplicateWindowMs, settings.maxAgeMs) * NANOS_PER_MS,
    num_replicas: settings.replicas ?? 1,
  };
}

/** nats-server's "stream name already in use", which nats.js's `JetStreamApiCodes` does not name. */
const STREAM_NAME_IN_USE = 10058;

export interface EnsureStreamOptions {
  /** Whether this service may change an existing stream's settings (ingest, which writes it); others only create it. */
  mayUpdate?: boolean;
  logger?: Logger;
  /** `PRICES` unless named: `TICKS` takes the same settings. */
  stream?: TickStreamName;
}

/** One setting of `PRICES` the configuration names, as the stream has it and as the configuration wants it. */
export interface StreamSettingChange {
  setting: "max_age" | "max_msgs_per_subject" | "duplicate_window" | "num_replicas";
  current: number;
  wanted: number;
  /** Whether applying it would let the stream keep less than it holds now. */
  shrinks: boolean;
}

/** What the configuration would change of an existing stream: only the settings it names. */
export function streamSettingChanges(current: StreamConfig, wanted: ReturnType<typeof pricesStreamConfig>): StreamSettingChange[] {
  const limit = (value: number | undefined) => (value === undefined || value <= 0 ? Number.POSITIVE_INFINITY : value);
  const changes: StreamSettingChange[] = [];
  for (const setting of ["max_age", "max_msgs_per_subject", "duplicate_window", "num_replicas"] as const) {
    const currentValue = current[setting] ?? 0;
    const wantedValue = wanted[setting] ?? 0;
    if (currentValue === wantedValue) continue;
    const shrinks = (setting === "max_age" || setting === "max_msgs_per_subject") && limit(wantedValue) < limit(currentValue);
    changes.push({ setting, current: currentValue, wanted: wantedValue, shrinks });
  }
  return changes;
}

function describeChange(change: StreamSettingChange): string {
  const show = (value: number) =>
    change.setting === "max_age" || change.setting === "duplicate_window" ? formatDuration(value / NANOS_PER_MS) : String(value);
  return `${change.setting} ${show(change.current)} -> ${show(change.wanted)}`;
}

/**
 * Creates `PRICES` when it is missing; safe to call from every service at once. An existing
 * stream is changed only by a service that may (`mayUpdate`), only in the settings the
 * configuration names, and never to keep less than it does now unless `allowShrink`: one
 * service started with `PRICES_MAX_AGE=1s` must not empty the stream everyone shares.
 * Resolves with the changes applied.
 */
export async function ensurePricesStream(
  nc: NatsConnection,
  settings: PricesStreamSettings,
  options: EnsureStreamOptions = {},
): Promise<StreamSettingChange[]> {
  const jsm = await jetstreamManager(nc);
  const stream = options.stream ?? PRICES_STREAM;
  const config = pricesStreamConfig(settings, stream);
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(stream)).config;
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    try {
      await jsm.streams.add(config);
      return [];
    } catch (addError) {
      if (!isApiError(addError, STREAM_NAME_IN_USE)) throw notProvisioned(`stream ${stream}`, addError);
      current = (await jsm.streams.info(stream)).config;
    }
  }
  const changes = streamSettingChanges(current, config);
  if (changes.length === 0) return [];
  const { logger, mayUpdate = false } = options;
  if (!mayUpdate) {
    logger?.warn(
      { changes: changes.map(describeChange) },
      `${stream} has other settings than this service's configuration; left as it is (pnpm provision applies settings)`,
    );
    return [];
  }
  const refused = changes.filter((change) => change.shrinks && !settings.allowShrink);
  if (refused.length > 0) {
    logger?.warn(
      { refused: refused.map(describeChange) },
      `not shrinking ${stream}' retention below what it keeps now; set PRICES_ALLOW_SHRINK=true to do so on purpose`,
    );
  }
  const applied = changes.filter((change) => !refused.includes(change));
  if (applied.length === 0) return [];
  const update: StreamConfig = { ...current };
  for (const change of applied) update[change.setting] = change.wanted;
  await jsm.streams.update(stream, update);
  logger?.info({ changes: applied.map(describeChange) }, `${stream} settings updated`);
  return applied;
}

/**
 * A stream or bucket a service found missing and could not make: its NATS user may not (only the
 * operator's provisioning creates them), or nats-server refused it.
 */
function notProvisioned(what: string, error: unknown): ConfigError {
  return new ConfigError(
    `${what} does not exist and this service could not create it (${(error as Error).message}): run "pnpm provision" as the operator NATS user first`,
  );
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** A write refused because the subject's last message is not the one it was checked against (`Nats-Expected-Last-Subject-Sequence`). */
export function isWrongLastSequence(error: unknown): boolean {
  return (
    isApiError(error, JetStreamApiCodes.StreamWrongLastSequence) ||
    isApiError(error, JetStreamApiCodes.StreamWrongLastSequenceUnknown) ||
    isPublishError(error, "wrong_last_sequence")
  );
}

/** Settings of `CANDLES`: bounded per subject, never by age, so a quiet symbol keeps its past. */
export function candlesStreamConfig(replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: CANDLES_STREAM,
    subjects: [CANDLE_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: CANDLES_PER_SUBJECT,
    duplicate_window: 10 * 60_000 * NANOS_PER_MS,
    num_replicas: replicas,
  };
}

/** Creates `CANDLES` when it is missing (its writer's job; readers only look). */
export async function ensureCandlesStream(nc: NatsConnection, replicas = 1): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(CANDLES_STREAM);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add(candlesStreamConfig(replicas)).catch((addError: unknown) => {
      if (!isApiError(addError, STREAM_NAME_IN_USE)) throw notProvisioned(`stream ${CANDLES_STREAM}`, addError);
    });
  }
}

/** Opens `price_history`, creating it (history {@link HISTORY_DEPTH}, file storage) when missing. */
export async function ensurePriceHistoryBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return openBucket(nc, PRICE_HISTORY_BUCKET, { history: HISTORY_DEPTH, replicas });
}

/** Opens `assets`, creating it (history 1, file storage) when missing. */
export async function ensureAssetsBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return openBucket(nc, ASSETS_BUCKET, { history: 1, replicas });
}

/** Opens `history_writer`, creating it (history 1, max age the lease) when missing. */
export async function ensureWriterLeaseBucket(nc: NatsConnection, replicas = 1): Promise<KV> {
  return openBucket(nc, HISTORY_WRITER_BUCKET, { history: 1, ttl: WRITER_LEASE_MS, replicas });
}

/** A bucket, made with `options` when missing (NATS.js looks before it creates). */
async function openBucket(nc: NatsConnection, bucket: string, options: { history: number; replicas: number; ttl?: number }): Promise<KV> {
  return new Kvm(nc).create(bucket, options).catch((error: unknown) => {
    throw notProvisioned(`bucket ${bucket}`, error);
  });
}

/**
 * The filter of a consumer that reads `symbols` of `PRICES` (every symbol when absent or
 * empty): one symbol's subject, several (`filter_subjects`, nats-server 2.10), or none at all.
 * `PRICES` holds `prices.>` only, so reading every symbol needs no filter. Filtered by the
 * server, a window of 3 of 20 symbols from the middle of the stream reads 3.4x faster than
 * unfiltered and picked by the reader, at half nats-server's CPU per tick kept (bench/RESULTS.md,
 * consumer filters). Every consumer of `PRICES` goes by this.
 */
export function pricesConsumerFilter(symbols?: readonly string[]): { filter_subject?: string; filter_subjects?: string[] } {
  const subjects = [...new Set(symbols ?? [])].map(priceSubject);
  if (subjects.length === 0) return {};
  return subjects.length === 1 ? { filter_subject: subjects[0]! } : { filter_subjects: subjects };
}

/**
 * Pull expiry for the services' long-running consumers. After a reconnect nats.js
 * checks the consumer and, while JetStream is not back yet, waits one `expires`
 * before it checks again: with the default 30 s, a broadcaster fell silent for
 * half a minute after every nats-server restart (found by `make chaos`).
 */
export const LIVE_CONSUMER_EXPIRES_MS = 2_000;
