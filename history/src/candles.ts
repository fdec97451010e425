import { coinGeckoKeyHeaders, ensureCandlesStream, type Clock, type Logger, type NatsConnection } from "@cryptostream/core";
import { CandleBackfill } from "./backfill/candle-backfill";
import { BINANCE_WEIGHT_PER_MINUTE, BinanceKlines, CoinGeckoOhlcHistory } from "./backfill/exchange-history";
import { RestClient } from "./backfill/rest-client";
import { followCandles } from "./candle-feed";
import { CandleStore } from "./candle-store";
import { CandlePublisher } from "./candle-publisher";
import { startCandleWriter, type CandleWriter } from "./candle-writer";
import type { HistoryConfig } from "./config";
import type { historyMetrics } from "./metrics";

export interface Candles {
  store: CandleStore;
  writer: CandleWriter;
  backfill: CandleBackfill | undefined;
  close(): Promise<void>;
}

/** Wires candles: `CANDLES` read into memory, the writer that folds `PRICES` into it, and the backfill. */
export async function startCandles(
  nc: NatsConnection,
  config: HistoryConfig,
  logger: Logger,
  clock: Clock,
  measured: ReturnType<typeof historyMetrics>,
): Promise<Candles> {
  await ensureCandlesStream(nc, config.JETSTREAM_REPLICAS);
  const store = new CandleStore();
  const feed = await followCandles({ nc, store, onReject: (message, seq) => logger.warn({ seq }, `not a candle in CANDLES: ${message}`) });
  logger.info({ candles: store.size() }, "candles loaded from CANDLES");
  const publisher = new CandlePublisher(nc, { logger, clock, onWritten: measured.candleEvents.onWritten });
  const backfill = config.CANDLE_BACKFILL ? exchangeBackfill(config, store, publisher, logger, clock, measured) : undefined;
  const writer = await startCandleWriter({
    nc,
    store,
    publisher,
    logger,
    clock,
    ...measured.candleEvents,
    onSymbol: (symbol, firstTickTs) => backfill?.request(symbol, firstTickTs),
  });
  return {
    store,
    writer,
    backfill,
    async close() {
      backfill?.stop();
      await writer.stop();
      publisher.close();
      await feed.stop();
    },
  };
}

/** Binance klines first, CoinGecko OHLC for a coin Binance does not list or cannot serve. */
function exchangeBackfill(
  config: HistoryConfig,
  store: CandleStore,
  publisher: CandlePublisher,
  logger: Logger,
  clock: Clock,
  measured: ReturnType<typeof historyMetrics>,
): CandleBackfill {
  const restOptions = (source: string) => ({
    clock,
    timeoutMs: config.BACKFILL_TIMEOUT,
    stopped: () => backfill.stopped,
    onError: (reason: string) => measured.backfillErrors.inc({ source, reason }),
  });
  const binanceClient: RestClient = new RestClient({
    ...restOptions("binance"),
    // Half of Binance's weight per minute at most: past it, wait for the next minute.
    onHeaders: (headers) => {
      if (Number(headers.get("x-mbx-used-weight-1m")) > BINANCE_WEIGHT_PER_MINUTE / 2) binanceClient.holdUntil(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
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
