import { KvWatchInclude, type KV, type KvWatchEntry } from "@nats-io/kv";
import { systemClock, type Clock, type SequencedTick } from "@cryptostream/core";
import type { QueuedIterator } from "@nats-io/transport-node";
import { AppliedSeq } from "../applied-seq";
import { RecentTicks } from "./recent-ticks";

/**
 * `price_history` in memory on every instance: a watch of every kept value of every key, oldest
 * first, then each new one, into {@link RecentTicks}. It also keeps each key's latest revision,
 * which the writer's updates are checked against (so a write made on a stale view is refused).
 */
export class BucketMirror {
  readonly recent = new RecentTicks();
  private readonly revisions = new Map<string, number>();
  /** The bucket's last revision this mirror has applied. */
  private readonly applied: AppliedSeq;
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    clock: Clock = systemClock,
  ) {
    this.applied = new AppliedSeq(clock, "price_history watch");
  }

  /** A mirror of `kv`, once every value stored now is in its recent ticks. */
  static async follow(kv: KV, clock?: Clock): Promise<BucketMirror> {
    const mirror = new BucketMirror(kv, clock);
    await mirror.start();
    return mirror;
  }

  /** Starts the watch; resolves once every value stored when it started is in its recent ticks. */
  async start(): Promise<void> {
    const watch = await this.kv.watch({ include: KvWatchInclude.AllHistory });
    this.watch = watch;
    this.done = (async () => {
      for await (const entry of watch) this.apply(entry);
    })();
    await this.caughtUp();
  }

  async stop(): Promise<void> {
    this.watch?.stop();
    await this.done;
  }

  /** The revision of a symbol's latest value (0: never written). */
  revision(symbol: string): number {
    return this.revisions.get(symbol) ?? 0;
  }

  /** What the writer wrote itself, at the revision the bucket gave it (the watch brings it again, and is ignored). */
  recordWrite(tick: SequencedTick, revision: number): void {
    this.recent.append(tick);
    this.setRevision(tick.symbol, revision);
  }

  /** Resolves once the mirror has applied everything the bucket holds now (or one key's latest value). */
  async caughtUp(symbol?: string): Promise<void> {
    const target = symbol === undefined ? await this.lastRevision() : ((await this.kv.get(symbol))?.revision ?? 0);
    await this.applied.reach(target);
  }

  private async lastRevision(): Promise<number> {
    const { state } = (await this.kv.status()).streamInfo;
    return state.messages === 0 ? 0 : state.last_seq;
  }

  private apply(entry: KvWatchEntry): void {
    this.setRevision(entry.key, entry.revision);
    if (entry.operation === "PUT") this.recent.append(entry.json<SequencedTick>());
    this.applied.advance(entry.revision);
  }

  private setRevision(symbol: string, revision: number): void {
    if (revision > this.revision(symbol)) this.revisions.set(symbol, revision);
  }
}
