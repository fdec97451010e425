import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import { ASSETS_BUCKET, HISTORY_DEPTH, HISTORY_WRITER_BUCKET, PRICE_HISTORY_BUCKET, WRITER_LEASE_MS } from "./contracts/names";
import {
  candlesStreamConfig,
  ensureAssetsBucket,
  ensureCandlesStream,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  ensureWriterLeaseBucket,
  pricesStreamConfig,
  type PricesStreamSettings,
} from "./jetstream";
import { PRICES_STREAM } from "./contracts/names";
import { TICKS_STREAM } from "./contracts/venues";
import type { Logger } from "./logger";
import { connectNats, type NatsConnection, type NatsOptions } from "./nats";

/**
 * Every stream and bucket CryptoStream uses, from one declaration: each created when missing,
 * and `PRICES` and `TICKS` brought to the configured retention (never shrunk below what they
 * keep unless `allowShrink`). The operator's job (`pnpm provision`), run before the services,
 * which may only look: none of their NATS users may create, change or delete a stream.
 */
export async function provision(nc: NatsConnection, settings: PricesStreamSettings, logger: Logger): Promise<void> {
  const replicas = settings.replicas ?? 1;
  for (const stream of [PRICES_STREAM, TICKS_STREAM] as const) await ensurePricesStream(nc, settings, { mayUpdate: true, logger, stream });
  await ensureCandlesStream(nc, replicas);
  await ensurePriceHistoryBucket(nc, replicas);
  await ensureAssetsBucket(nc, replicas);
  await ensureWriterLeaseBucket(nc, replicas);
  logger.info({ replicas }, "streams and buckets provisioned");
}

/** Where the viewers' account reaches the services' JetStream API, and where its mirrors' deliveries come (nats-users.conf). */
const SERVICES_API_PREFIX = "$JS.CRYPTOSTREAM.API";
const MIRROR_DELIVER_PREFIX = "viewers.mirror";
const NANOS_PER_MS = 1_000_000;

/** The user that makes the mirrors in the viewers' account: the operator's name with `-viewers` (the same password). */
const viewersOperator = (operator: string) => `${operator}-viewers`;

/**
 * What `pnpm provision` does: every stream and bucket as `user`, then, on a server with users
 * (nats-users.conf), the viewers' mirrors as its `-viewers` namesake in their account.
 */
export async function provisionAll(
  connection: { url: string; user?: string | undefined; password?: string | undefined },
  settings: PricesStreamSettings,
  logger: Logger,
): Promise<void> {
  const { url, user, password } = connection;
  await withConnection({ url, name: "provision", user, password, logger }, (nc) => provision(nc, settings, logger));
  if (!user) return;
  await withConnection({ url, name: "provision-viewers", user: viewersOperator(user), password, logger }, (nc) => provisionViewerMirrors(nc, settings, logger));
}

async function withConnection(options: NatsOptions, work: (nc: NatsConnection) => Promise<void>): Promise<void> {
  const nc = await connectNats(options);
  try {
    await work(nc);
  } finally {
    await nc.close();
  }
}

/**
 * Mirrors, in the viewers' account, of every stream and bucket, under the same names and limits, so
 * that the `nats` CLI reads them there: a consumer a viewer makes delivers into that account alone.
 * Each is made when missing; an existing mirror is left as it is. `nc` is the viewers' operator's.
 */
async function provisionViewerMirrors(nc: NatsConnection, settings: PricesStreamSettings, logger: Logger): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const config of viewerMirrorConfigs(settings)) {
    try {
      await jsm.streams.info(config.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await jsm.streams.add(config);
    }
  }
  logger.info("viewers' mirrors provisioned");
}

/** Each mirror's settings: its origin's limits, no subjects of its own, fed through the services' API from the viewers' account. */
function viewerMirrorConfigs(settings: PricesStreamSettings): (Partial<StreamConfig> & { name: string })[] {
  const replicas = settings.replicas ?? 1;
  const bucket = (name: string, history: number, ttlMs = 0): Partial<StreamConfig> & { name: string } => ({
    name: `KV_${name}`,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msgs_per_subject: history,
    max_age: ttlMs * NANOS_PER_MS,
    allow_rollup_hdrs: true,
    allow_direct: true,
    num_replicas: replicas,
  });
  const origins: (Partial<StreamConfig> & { name: string })[] = [
    pricesStreamConfig(settings, PRICES_STREAM),
    pricesStreamConfig(settings, TICKS_STREAM),
    candlesStreamConfig(replicas),
    bucket(PRICE_HISTORY_BUCKET, HISTORY_DEPTH),
    bucket(ASSETS_BUCKET, 1),
    bucket(HISTORY_WRITER_BUCKET, 1, WRITER_LEASE_MS),
  ];
  return origins.map(({ subjects: _subjects, duplicate_window: _window, ...config }) => ({
    ...config,
    mirror: { name: config.name, external: { api: SERVICES_API_PREFIX, deliver: `${MIRROR_DELIVER_PREFIX}.${config.name}` } },
  }));
}
