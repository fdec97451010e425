import type { KV } from "@nats-io/kv";
import type { AssetMetadata, Logger } from "@cryptostream/core";

/** Writes coin metadata to the `assets` bucket, only when it changed. */
export class AssetsWriter {
  private readonly written = new Map<string, string>();

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  async write(assets: readonly AssetMetadata[]): Promise<void> {
    for (const asset of assets) {
      const value = JSON.stringify(asset);
      if (this.written.get(asset.symbol) === value) continue;
      try {
        await this.kv.put(asset.symbol, value);
        this.written.set(asset.symbol, value);
      } catch (error) {
        this.logger.warn({ symbol: asset.symbol, err: (error as Error).message }, "could not write asset metadata");
      }
    }
  }
}
