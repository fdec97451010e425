import type { HistoryRole, Logger, ServiceMetrics, TickRejectReason, WindowReadSlots } from "@cryptostream/core";
import { candleMsgId } from "@cryptostream/core";
import type { CandleEvents } from "./candles/candles";
import type { LeaseEvents } from "./lease/writer-role";
import type { HistoryWriterOptions } from "./price-history/history-writer";

/** History's own metrics, and the writer's events that feed them (and its logs). */
export function historyMetrics(metrics: ServiceMetrics, logger: Logger, durable: string) {
  const rejectTickAt = (stage: "history" | "candles") => (reason: TickRejectReason, message: string, seq: number) => {
    metrics.ticksRejected.inc({ stage, reason });
    logger.warn({ reason, seq, stage }, `rejected tick from PRICES: ${message}`);
  };
  const rejectTick = rejectTickAt("history");
  const conflicts = metrics.counter(
    "cryptostream_history_write_conflicts_total",
    "Writes refused because the key or subject had changed since this instance saw it (a stale writer fenced off, or a retry of a write whose ack was lost), by where: price_history or CANDLES",
    ["to"],
  );
  const writerEvents = historyWriterEvents(metrics, logger, durable, rejectTick, () => conflicts.inc({ to: "price_history" }));
  const candlesWritten = metrics.counter(
    "cryptostream_history_candles_written_total",
    "Candles published to CANDLES, by interval and source (ticks, or the exchange a backfill came from)",
    ["interval", "source"],
  );
  const lateTicks = metrics.counter(
    "cryptostream_history_candle_late_ticks_total",
    "Ticks whose bar had closed when they were folded: kept in PRICES and price_history, in no candle",
  );
  const backfillErrors = metrics.counter(
    "cryptostream_history_backfill_errors_total",
    "Failed requests of the candle backfill, by exchange and reason (429 and Binance's 418 ban as http_429)",
    ["source", "reason"],
  );
  const candleEvents: CandleEvents = {
    onWritten: (candle) => candlesWritten.inc({ interval: candle.interval, source: candle.source }),
    onConflict: (candle) => {
      conflicts.inc({ to: "CANDLES" });
      logger.warn(
        { candle: candleMsgId(candle) },
        "CANDLES publish refused: the subject changed since this instance saw it (another writer's candle, or its own whose ack was lost); reading what is stored",
      );
    },
    onLate: () => lateTicks.inc(),
    onReject: rejectTickAt("candles"),
    onBackfillError: (source, reason) => backfillErrors.inc({ source, reason }),
  };
  return {
    writerEvents,
    leaseEvents: writerLeaseMetrics(metrics),
    candleEvents,
    rejectTick,
    badRequests: metrics.counter("cryptostream_history_bad_requests_total", "Requests refused with 400, by the parameter that was wrong", ["parameter"]),
    windowReadsRefused: metrics.counter("cryptostream_history_window_reads_refused_total", "GET /api/ticks refused with 429, by reason", ["reason"]),
    watch(windowSlots: WindowReadSlots) {
      metrics.gauge("cryptostream_history_window_reads", "GET /api/ticks reads running now", () => windowSlots.active);
    },
  };
}

/** Which instance writes: a gauge of this one's role, and its lease taken and lost, by how and why. */
function writerLeaseMetrics(metrics: ServiceMetrics): LeaseEvents {
  let role: HistoryRole = "reader";
  metrics.gauge("cryptostream_history_writer", "1 while this instance holds the writer lease and writes, else 0", () => (role === "writer" ? 1 : 0));
  const taken = metrics.counter("cryptostream_history_writer_lease_taken_total", "Times this instance took the writer lease, by how", ["how"]);
  const lost = metrics.counter("cryptostream_history_writer_lease_lost_total", "Times this instance lost or gave up the writer lease, by why", ["why"]);
  return {
    leaseTaken: (how) => taken.inc({ how }),
    leaseLost: (why) => lost.inc({ why }),
    setRole: (next) => {
      role = next;
    },
  };
}

/** The price_history writer's events: counted and logged. */
function historyWriterEvents(
  metrics: ServiceMetrics,
  logger: Logger,
  durable: string,
  onReject: HistoryWriterOptions["onReject"],
  onConflict: () => void,
): Pick<HistoryWriterOptions, "onWritten" | "onReject" | "onRestart" | "onConsumerLost" | "onConflict"> {
  const written = metrics.counter("cryptostream_history_ticks_written_total", "Ticks written to the price_history bucket");
  const consumerRestarts = metrics.counter(
    "cryptostream_history_consumer_restarts_total",
    "Times the durable consumer was recreated to deliver again ticks that were delivered but never written",
  );
  const consumersLost = metrics.counter(
    "cryptostream_history_consumer_lost_total",
    "Times history's durable consumer was found deleted and made again from the first tick not written",
  );
  return {
    onWritten: () => written.inc(),
    onConflict: (symbol) => {
      onConflict();
      logger.warn(
        { symbol },
        "price_history write refused: the key changed since this instance saw it (another writer's write, or its own whose ack was lost); reading what is stored",
      );
    },
    onReject,
    onRestart: (fromSeq) => {
      consumerRestarts.inc();
      logger.warn({ fromSeq }, "ticks delivered earlier were never written: consuming again from the first of them");
    },
    onConsumerLost: (fromSeq) => {
      consumersLost.inc();
      logger.error({ durable, fromSeq }, "history's durable consumer was deleted: made it again from the first tick not written");
    },
  };
}

export type HistoryMetrics = ReturnType<typeof historyMetrics>;
