import type { KV } from "@nats-io/kv";
import type { AssetMetadata, Logger } from "@cryptostream/core";

/** The `assets` bucket kept in memory by a watch, so requests never wait on NATS. */
export class AssetsCache {
  private readonly assets = new Map<string, AssetMetadata>();
  private stopWatch: (() => void) | undefined;

  get(symbol: string): AssetMetadata | undefined {
    return this.assets.get(symbol);
  }

  async watch(kv: KV, logger: Logger): Promise<void> {
    const watcher = await kv.watch();
    this.stopWatch = () => watcher.stop();
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation !== "PUT") {
          this.assets.delete(entry.key);
          continue;
        }
        try {
          this.assets.set(entry.key, entry.json<AssetMetadata>());
        } catch (error) {
          logger.warn({ key: entry.key, err: (error as Error).message }, "unreadable value in the assets bucket");
        }
      }
    })();
  }

  stop(): void {
    this.stopWatch?.();
  }
}
