import type { Logger, ServiceMetrics, TickRejectReason, WindowReadSlots } from "@cryptostream/core";
import type { Candle } from "@cryptostream/core";
import type { CandleWriterOptions } from "./candle-writer";
import type { HistoryWriterOptions } from "./history-writer";

/** History's own metrics, and the writer's events that feed them (and its logs). */
export function historyMetrics(metrics: ServiceMetrics, logger: Logger, durable: string) {
  const written = metrics.counter("cryptostream_history_ticks_written_total", "Ticks written to the price_history bucket");
  const consumerRestarts = metrics.counter(
    "cryptostream_history_consumer_restarts_total",
    "Times the durable consumer was recreated to deliver again ticks that were delivered but never written",
  );
  const consumersLost = metrics.counter(
    "cryptostream_history_consumer_lost_total",
    "Times history's durable consumer was found deleted and made again from the first tick not written",
  );
  const rejectTickAt = (stage: "history" | "candles") => (reason: TickRejectReason, message: string, seq: number) => {
    metrics.ticksRejected.inc({ stage, reason });
    logger.warn({ reason, seq, stage }, `rejected tick from PRICES: ${message}`);
  };
  const rejectTick = rejectTickAt("history");
  const writerEvents: Pick<HistoryWriterOptions, "onWritten" | "onReject" | "onRestart" | "onConsumerLost"> = {
    onWritten: () => written.inc(),
    onReject: rejectTick,
    onRestart: (fromSeq) => {
      consumerRestarts.inc();
      logger.warn({ fromSeq }, "ticks delivered earlier were never written: consuming again from the first of them");
    },
    onConsumerLost: (fromSeq) => {
      consumersLost.inc();
      logger.error({ durable, fromSeq }, "history's durable consumer was deleted: made it again from the first tick not written");
    },
  };
  const candlesWritten = metrics.counter(
    "cryptostream_history_candles_written_total",
    "Candles published to CANDLES, by interval and source (ticks, or the exchange a backfill came from)",
    ["interval", "source"],
  );
  const lateTicks = metrics.counter(
    "cryptostream_history_candle_late_ticks_total",
    "Ticks whose bar had closed when they were folded: kept in PRICES and price_history, in no candle",
  );
  const candleEvents: Pick<CandleWriterOptions, "onLate" | "onReject"> & { onWritten: (candle: Candle) => void } = {
    onWritten: (candle) => candlesWritten.inc({ interval: candle.interval, source: candle.source }),
    onLate: () => lateTicks.inc(),
    onReject: rejectTickAt("candles"),
  };
  const backfillErrors = metrics.counter(
    "cryptostream_history_backfill_errors_total",
    "Failed requests of the candle backfill, by exchange and reason (429 and Binance's 418 ban as http_429)",
    ["source", "reason"],
  );
  return {
    writerEvents,
    candleEvents,
    backfillErrors,
    rejectTick,
    badRequests: metrics.counter("cryptostream_history_bad_requests_total", "Requests refused with 400, by the parameter that was wrong", ["parameter"]),
    windowReadsRefused: metrics.counter("cryptostream_history_window_reads_refused_total", "GET /api/ticks refused with 429, by reason", ["reason"]),
    watch(windowSlots: WindowReadSlots) {
      metrics.gauge("cryptostream_history_window_reads", "GET /api/ticks reads running now", () => windowSlots.active);
    },
  };
}
