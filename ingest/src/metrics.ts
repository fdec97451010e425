import { PRICES_STREAM, type ServiceMetrics } from "@cryptostream/core";

/** Ingest's own metrics. */
export function ingestMetrics(metrics: ServiceMetrics) {
  return {
    published: metrics.counter(
      "cryptostream_ingest_ticks_published_total",
      "Ticks acknowledged by JetStream, by stream (TICKS: venue ticks, PRICES: reference ticks), source and whether JetStream saw a duplicate",
      ["stream", "source", "duplicate"],
    ),
    upstreamErrors: metrics.counter(
      "cryptostream_ingest_upstream_errors_total",
      "Failed CoinGecko requests (timeout, network, http_429, http_4xx, http_5xx), dropped WebSocket connections (stale, closed, closed_abnormally, connect_failed, server_shutdown), refused subscriptions (subscribe_failed) and lost Coinbase messages (sequence_gap), by source and reason",
      ["source", "reason"],
    ),
    dropped: metrics.counter("cryptostream_ingest_ticks_dropped_total", "Ticks dropped because the publish queue was full, by stream", ["stream"]),
    unchanged: metrics.counter(
      "cryptostream_ingest_ticks_unchanged_total",
      "Upstream events skipped because they repeat the last one published (a poll between upstream updates)",
      ["source"],
    ),
    held: metrics.counter(
      "cryptostream_ingest_ticks_held_total",
      "Upstream ticks held back because nothing could judge them yet (a new deployment's first price of a symbol); published once another price confirms them",
      ["source"],
    ),
    sourceChanges: metrics.counter(
      "cryptostream_ingest_source_state_changes_total",
      "Upstream sources going down (with the reason) or coming back up, as this instance sees them",
      ["source", "state", "reason"],
    ),
    retries: metrics.counter("cryptostream_ingest_publish_retries_total", "Publishes that failed and were retried with the same msg id, by stream", ["stream"]),
    venueDropped: metrics.counter(
      "cryptostream_reference_venue_dropped_total",
      "A venue left out of a symbol's reference price, as an outlier or stale, counted when it starts being left out",
      ["symbol", "venue", "reason"],
    ),
    withheld: metrics.counter(
      "cryptostream_reference_withheld_total",
      "Venue ticks that made no reference tick (no_majority: two fresh exchanges disagree; no_fresh_venue), by symbol and reason",
      ["symbol", "reason"],
    ),
    rejected: metrics.ticksRejected,
    /** A publisher's backlog, read when scraped. */
    watchPending(stream: string, read: () => number) {
      if (stream === PRICES_STREAM)
        metrics.gauge("cryptostream_ingest_reference_publish_pending", "Reference ticks queued or awaiting their JetStream ack", read);
      else metrics.gauge("cryptostream_ingest_publish_pending", "Venue ticks queued or awaiting their JetStream ack", read);
    },
  };
}

export type IngestMetrics = ReturnType<typeof ingestMetrics>;
