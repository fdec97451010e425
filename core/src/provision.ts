import {
  ensureAssetsBucket,
  ensureCandlesStream,
  ensurePriceHistoryBucket,
  ensurePricesStream,
  ensureWriterLeaseBucket,
  type PricesStreamSettings,
} from "./jetstream";
import { PRICES_STREAM } from "./contracts/names";
import { TICKS_STREAM } from "./contracts/venues";
import type { Logger } from "./logger";
import type { NatsConnection } from "./nats";

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
