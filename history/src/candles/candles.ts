import { coinGeckoKeyHeaders, ensureCandlesStream, type Candle, type Clock, type Logger, type NatsConnection } from "@cryptostream/core";
import { CandleBackfill } from "./backfill/candle-backfill";
import { BINANCE_WEIGHT_PER_MINUTE, BinanceKlines, CoinGeckoOhlcHistory } from "./backfill/exchange-history";
import { RestClient } from "./backfill/rest-client";
import { followCandles, type CandleFeed } from "./candle-feed";
import { CandleStore } from "./candle-store";
import { CandlePublisher, DroppedCandles, type CandlePublisherOptions } from "./candle-publisher";
import { startCandleFold, type CandleFold, type CandleFoldOptions } from "./candle-fold";
import type { HistoryConfig } from "../config";

/** What candles tell the metrics: late and refused ticks, candles written and refused, failed backfill requests. */
export interface CandleEvents extends Pick<CandleFoldOptions, "onLate" | "onReject">, Pick<CandlePublisherOptions, "onWritten" | "onConflict"> {
  onBackfillError(source: string, reason: string): void;
}

export interface Candles {
  store: CandleStore;
  /** The fold running now: the writer's while this instance writes, else a reader's, for the forming candles alone. */
  fold(): CandleFold;
  backfillPending(): number;
  /** Why candles have stopped while their input grows (the fold behind `PRICES`, the feed behind `CANDLES`); undefined while they keep up. */
  stalled(): string | undefined;
  /** Folds as the writer from the stored candles on, publishing what closes (and backfilling), while `mayWrite`. */
  startWriting(mayWrite: () => boolean): Promise<void>;
  /** Stops the writer's fold at once (what it had not stored, the next writer folds again); then a reader's, unless `thenRead` is false (shutdown). */
  stopWriting(thenRead?: boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * Wires candles: `CANDLES` read into memory and followed on every instance, and a fold of `PRICES`:
 * a reader's (its forming candles serve `/api/candles`; what it closes is dropped, the writer's
 * copy comes through `CANDLES`), or, on the instance holding the writer lease, the writer's.
 */
export async function startCandles(nc: NatsConnection, config: HistoryConfig, logger: Logger, clock: Clock, events: CandleEvents): Promise<Candles> {
  await ensureCandlesStream(nc, config.JETSTREAM_REPLICAS);
  const store = new CandleStore();
  const feed = await followCandles({ nc, store, clock, logger, onReject: (message, seq) => logger.warn({ seq }, `not a candle in CANDLES: ${message}`) });
  logger.info({ candles: store.size() }, "candles loaded from CANDLES");
  const { onLate, onReject, onWritten, onConflict } = events;
  const foldOptions = { nc, store, logger, clock, onLate, onReject };
  const readerFold = () => startCandleFold({ ...foldOptions, publisher: new DroppedCandles() });
  let fold = await readerFold();
  /** Set while the fold running is the writer's, or none runs (a change failed half-way). */
  let writing: { publisher?: CandlePublisher; backfill?: CandleBackfill } | undefined;
  const stopFold = async () => {
    writing = writing ?? {};
    // The publisher first, so that nothing the fold still closes waits for an ack or a retry.
    writing.publisher?.close();
    writing.backfill?.stop();
    await fold.stop();
  };
  return {
    store,
    fold: () => fold,
    backfillPending: () => writing?.backfill?.pending ?? 0,
    stalled: () => stalledPart(fold, feed),
    async startWriting(mayWrite) {
      await stopFold();
      await feed.caughtUp();
      const fence = {
        lastSeqOf: (subject: string) => feed.lastSeqOf(subject),
        storedAfterCatchUp: async (candle: Candle) => {
          await feed.caughtUp();
          return store.holds(candle);
        },
      };
      const publisher = new CandlePublisher(nc, { logger, clock, mayWrite, fence, onWritten, onConflict });
      const backfill = config.CANDLE_BACKFILL ? exchangeBackfill(config, store, publisher, logger, clock, events.onBackfillError) : undefined;
      writing = { publisher, backfill };
      fold = await startCandleFold({ ...foldOptions, publisher, onSymbol: (symbol, firstTickTs) => backfill?.request(symbol, firstTickTs) });
    },
    async stopWriting(thenRead = true) {
      if (!writing) return;
      await stopFold();
      if (!thenRead) return;
      fold = await readerFold();
      writing = undefined;
    },
    async close() {
      await stopFold();
      await feed.stop();
    },
  };
}

function stalledPart(fold: CandleFold, feed: CandleFeed): string | undefined {
  if (fold.isStalled()) return "the candle fold has folded nothing while PRICES grows";
  if (feed.isStalled()) return "the CANDLES feed has read nothing while CANDLES grows";
  return undefined;
}

/** Binance klines first, CoinGecko OHLC for a coin Binance does not list or cannot serve. */
function exchangeBackfill(
  config: HistoryConfig,
  store: CandleStore,
  publisher: CandlePublisher,
  logger: Logger,
  clock: Clock,
  onBackfillError: CandleEvents["onBackfillError"],
): CandleBackfill {
  const restOptions = (source: string) => ({
    clock,
    timeoutMs: config.BACKFILL_TIMEOUT,
    stopped: () => backfill.stopped,
    onError: (reason: string) => onBackfillError(source, reason),
  });
  const binanceClient: RestClient = new RestClient({
    ...restOptions("binance"),
    // Half of Binance's weight per minute at most: past it, wait for the next minute.
    onHeaders: (headers) => {
      if (Number(headers["x-mbx-used-weight-1m"]) > BINANCE_WEIGHT_PER_MINUTE / 2) binanceClient.holdUntil(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
    },
  });
  // Keyless CoinGecko allows some 30 calls a minute: one every 2.5 s.
  const coingeckoClient = new RestClient({
    ...restOptions("coingecko"),
    spacingMs: 2_500,
    headers: coinGeckoKeyHeaders(config.COINGECKO_PLAN, config.COINGECKO_API_KEY),
  });
  const backfill = new CandleBackfill({
    store,
    sources: [new BinanceKlines(config.BINANCE_REST_URL, binanceClient), new CoinGeckoOhlcHistory(config.COINGECKO_API_URL, coingeckoClient)],
    assets: config.ASSETS,
    publish: async (candle) => {
      await publisher.submit(candle);
      return !publisher.stopping;
    },
    settle: () => publisher.drain(),
    clock,
    logger,
  });
  return backfill;
}
