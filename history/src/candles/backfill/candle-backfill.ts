import { CANDLE_INTERVALS, assetFor, candleOpenTime, type AssetMapping, type Candle, type CandleInterval, type Clock, type Logger } from "@cryptostream/core";
import type { CandleStore } from "../candle-store";
import type { CandleHistorySource } from "./exchange-history";
import { UpstreamRequestError } from "@cryptostream/core";

const DAY = 86_400_000;
/** How far back each interval is filled: what the chart's ranges need (1H, 24H, 7D and 30D, 1Y). */
export const BACKFILL_DEPTH_MS: Record<CandleInterval, number> = { "1m": DAY, "5m": 7 * DAY, "1h": 30 * DAY, "1d": 365 * DAY };

export interface CandleBackfillOptions {
  store: CandleStore;
  /** Tried in order for each interval: the first that lists the coin and has the interval fills it. */
  sources: readonly CandleHistorySource[];
  assets: readonly AssetMapping[];
  /** Publishes one candle to `CANDLES` (or queues it); false when stopped first. */
  publish: (candle: Candle) => Promise<boolean>;
  /** Resolves once every candle published so far is stored. */
  settle?: () => Promise<void>;
  clock: Clock;
  logger: Logger;
  onFilled?: (source: string, interval: CandleInterval, candles: number) => void;
}

/**
 * Fills the past from the exchanges, once per symbol and run, up to the first tick of the symbol
 * that the fold met: every bar after the last candle stored before that tick (or, with none, from
 * {@link BACKFILL_DEPTH_MS} back) and before the tick's own bar. So a first start gets a chart's
 * worth of past, a history that was down longer than `PRICES` keeps gets the hole filled, and a
 * backfilled candle never takes the place of one computed from ticks.
 */
export class CandleBackfill {
  private readonly requested = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private pendingCount = 0;
  private stopping = false;

  constructor(private readonly options: CandleBackfillOptions) {}

  /** Fills `symbol`'s past before `firstTickTs`, after what is already queued; once per symbol. */
  request(symbol: string, firstTickTs: number): void {
    if (this.requested.has(symbol) || this.stopping) return;
    this.requested.add(symbol);
    this.pendingCount++;
    this.queue = this.queue
      .then(() => this.fill(symbol, firstTickTs))
      .catch((error: Error) => this.options.logger.warn({ symbol, err: error.message }, "backfill failed"))
      .finally(() => this.pendingCount--);
  }

  /** Symbols waiting or being filled. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Whatever is queued: its requests end at once. */
  stop(): void {
    this.stopping = true;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Waits until every requested symbol is filled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async fill(symbol: string, firstTickTs: number): Promise<void> {
    const asset = assetFor(symbol, this.options.assets);
    for (const interval of Object.keys(CANDLE_INTERVALS) as CandleInterval[]) {
      if (this.stopping) return;
      const range = this.missingRange(symbol, interval, firstTickTs);
      if (range) await this.fillRange(asset, interval, range.from, range.to);
    }
  }

  /** The bars of `interval` before the first tick's that are neither stored nor older than the depth. */
  private missingRange(symbol: string, interval: CandleInterval, firstTickTs: number): { from: number; to: number } | undefined {
    const to = candleOpenTime(firstTickTs, interval);
    const earliest = candleOpenTime(this.options.clock.now() - BACKFILL_DEPTH_MS[interval], interval);
    const stored = this.options.store.range(interval, symbol, earliest, to - 1, 1).candles.at(-1);
    const from = stored ? stored.openTime + CANDLE_INTERVALS[interval] : earliest;
    return from < to ? { from, to } : undefined;
  }

  private async fillRange(asset: AssetMapping, interval: CandleInterval, from: number, to: number): Promise<void> {
    for (const source of this.options.sources) {
      if (!source.intervals.includes(interval) || !source.lists(asset)) continue;
      try {
        const candles = await source.candles(asset, interval, from, to);
        for (const candle of candles) if (!(await this.options.publish(candle))) return;
        await this.options.settle?.();
        this.options.onFilled?.(source.name, interval, candles.length);
        this.options.logger.info({ symbol: asset.symbol, interval, source: source.name, candles: candles.length }, "backfilled");
        return;
      } catch (error) {
        if (!(error instanceof UpstreamRequestError)) throw error;
        if (error.code === "closed") return;
        this.options.logger.warn(
          { symbol: asset.symbol, interval, source: source.name, reason: error.code, err: error.message },
          "backfill from this source failed; trying the next",
        );
      }
    }
  }
}
