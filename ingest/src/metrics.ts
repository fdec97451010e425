import type { ServiceMetrics } from "@cryptostream/core";

/** Ingest's own metrics. */
export function ingestMetrics(metrics: ServiceMetrics) {
  return {
    published: metrics.counter(
      "cryptostream_ingest_ticks_published_total",
      "Ticks acknowledged by JetStream, by source and whether JetStream saw a duplicate",
      ["source", "duplicate"],
    ),
    upstreamErrors: metrics.counter(
      "cryptostream_ingest_upstream_errors_total",
      "Failed CoinGecko requests (timeout, network, http_429, http_4xx, http_5xx) and dropped Binance connections (stale, closed, closed_abnormally, connect_failed, server_shutdown), by source and reason",
      ["source", "reason"],
    ),
    dropped: metrics.counter("cryptostream_ingest_ticks_dropped_total", "Ticks dropped because the publish queue was full"),
    unchanged: metrics.counter(
      "cryptostream_ingest_ticks_unchanged_total",
      "Upstream events skipped because they repeat the last one published (a poll between upstream updates)",
      ["source"],
    ),
    sourceChanges: metrics.counter(
      "cryptostream_ingest_source_state_changes_total",
      "Upstream sources going down (with the reason) or coming back up, as this instance sees them",
      ["source", "state", "reason"],
    ),
    retries: metrics.counter("cryptostream_ingest_publish_retries_total", "Publishes that failed and were retried with the same msg id"),
    rejected: metrics.ticksRejected,
    /** The publisher's backlog, read when scraped. */
    watchPending(read: () => number) {
      metrics.gauge("cryptostream_ingest_publish_pending", "Ticks queued or awaiting their JetStream ack", read);
    },
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
