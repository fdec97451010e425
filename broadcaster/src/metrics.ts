import type { Logger, ServiceMetrics, TickRejectReason, WindowReadSlots } from "@cryptostream/core";
import type { ConnectionContext } from "./connection";
import type { BroadcastHub } from "./hub";

const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The broadcaster's own metrics, and the events of connections that feed them. */
export function broadcasterMetrics(metrics: ServiceMetrics) {
  const counter = metrics.counter.bind(metrics);
  const messagesSent = counter("cryptostream_broadcaster_messages_sent_total", "WebSocket messages written to clients");
  const bytesSent = counter("cryptostream_broadcaster_bytes_sent_total", "Bytes of WebSocket payload written to clients");
  const conflations = counter("cryptostream_broadcaster_conflations_total", "Batches conflated for a slow client");
  const slowCloses = counter("cryptostream_broadcaster_slow_client_closes_total", "Clients closed for falling too far behind");
  const protocolErrors = counter("cryptostream_broadcaster_protocol_errors_total", "Bad client input, by code", ["code"]);
  const resumes = counter("cryptostream_broadcaster_resumes_total", "Resume requests, by outcome", ["outcome"]);
  const replays = counter("cryptostream_broadcaster_replays_total", "Replays started, and refused as busy", ["outcome"]);
  const connectionErrors = counter(
    "cryptostream_broadcaster_connection_errors_total",
    "Unexpected errors serving one client, which closed that client (1011) and nobody else",
  );
  const latency = metrics.histogram(
    "cryptostream_broadcaster_publish_to_send_seconds",
    "From the time JetStream stored a tick to the time it was written to clients",
    LATENCY_BUCKETS_S,
  );
  const events: ConnectionContext["events"] = {
    onSent: (bytes, messages = 1) => {
      messagesSent.inc(messages);
      bytesSent.inc(bytes);
    },
    onConflated: () => conflations.inc(),
    onSlowClose: () => slowCloses.inc(),
    onProtocolError: (code) => protocolErrors.inc({ code }),
    onResume: (outcome) => resumes.inc({ outcome }),
    onReplay: (outcome) => replays.inc({ outcome }),
    onConnectionError: () => connectionErrors.inc(),
  };
  return {
    events,
    ticksIn: counter("cryptostream_broadcaster_ticks_received_total", "Valid ticks read from PRICES"),
    /** A tick in PRICES that is not one: counted and logged. */
    rejectTick: (logger: Logger) => (reason: TickRejectReason, message: string, seq: number) => {
      metrics.ticksRejected.inc({ stage: "broadcaster", reason });
      logger.warn({ reason, seq }, `rejected tick from PRICES: ${message}`);
    },
    ...statusMetrics(metrics),
    refused: counter("cryptostream_broadcaster_refused_connections_total", "Upgrades refused, by HTTP status", ["status"]),
    /** After a flush: how long each tick took from JetStream to the clients. */
    observeFlush(storedAtMs: readonly number[], nowMs: number) {
      for (const at of storedAtMs) latency.observe((nowMs - at) / 1000);
    },
    /** Gauges read when scraped. */
    watch(hub: BroadcastHub, windowSlots: WindowReadSlots) {
      metrics.gauge("cryptostream_broadcaster_connections", "Open WebSocket connections", () => hub.clientCount);
      metrics.gauge("cryptostream_broadcaster_window_reads", "Replays and resumes reading the stream now", () => windowSlots.active);
      metrics.gauge("cryptostream_broadcaster_window_reads_queued", "Replays and resumes waiting for a slot", () => windowSlots.queued);
    },
  };
}

/** Status changes sent to clients, and source reports refused. */
function statusMetrics(metrics: ServiceMetrics) {
  const counter = metrics.counter.bind(metrics);
  const rejected = counter("cryptostream_broadcaster_source_reports_rejected_total", "Messages on status.sources.* that are not source reports");
  return {
    statusChanges: counter("cryptostream_broadcaster_status_changes_total", "Symbols gone stale or fresh, sources gone down or up, as sent to clients", [
      "kind",
      "state",
    ]),
    /** A message on status.sources.* that is not a source report: counted and logged. */
    rejectReport: (logger: Logger) => (message: string) => {
      rejected.inc();
      logger.warn(`rejected source report: ${message}`);
    },
  };
}
