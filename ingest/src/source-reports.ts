import {
  SOURCE_REPORT_INTERVAL_MS,
  sourceStatusSubject,
  type Clock,
  type ClockTimer,
  type Logger,
  type NatsConnection,
  type SourceDownReason,
  type SourceReport,
} from "@cryptostream/core";
import type { FeedStatus } from "./sources/upstream-socket";
import type { PollerStatus } from "./sources/coingecko-poller";

/** A source's state now; undefined while it is too early to tell (just started, nothing heard yet). */
export type SourceState = { state: "up" } | { state: "down"; reason: SourceDownReason } | undefined;

export interface SourceProbe {
  source: string;
  check(now: number): SourceState;
}

/** How often the probes are read; a change is reported at once, and everything every {@link SOURCE_REPORT_INTERVAL_MS}. */
const CHECK_INTERVAL_MS = 1_000;

/** Binance, from its connections: up while one is open and heard from within `staleAfterMs`. */
export function websocketProbe(source: string, feeds: readonly { status(): Readonly<FeedStatus> }[], staleAfterMs: number, startedAt: number): SourceProbe {
  return {
    source,
    check(now) {
      const statuses = feeds.map((feed) => feed.status());
      if (statuses.some((s) => s.connected && s.lastMessageAt !== undefined && now - s.lastMessageAt <= staleAfterMs)) return { state: "up" };
      const heardOf = statuses.some((s) => s.lastMessageAt !== undefined);
      if (!heardOf && now - startedAt < staleAfterMs) return undefined;
      return { state: "down", reason: statuses.some((s) => s.connected) ? "silent" : "disconnected" };
    },
  };
}

/** CoinGecko, from its polls: up while one succeeded within two intervals and a timeout. */
export function pollingProbe(
  source: string,
  pollers: readonly { status(): Readonly<PollerStatus> }[],
  intervalMs: number,
  timeoutMs: number,
  startedAt: number,
): SourceProbe {
  const window = 2 * intervalMs + timeoutMs;
  return {
    source,
    check(now) {
      const last = Math.max(...pollers.map((poller) => poller.status().lastSuccessAt ?? -Infinity));
      if (now - last <= window) return { state: "up" };
      if (last === -Infinity && now - startedAt < intervalMs + timeoutMs) return undefined;
      return { state: "down", reason: "failing" };
    },
  };
}

export interface SourceReporterOptions {
  nc: NatsConnection;
  /** This ingest instance, named in every report. */
  instance: string;
  probes: readonly SourceProbe[];
  clock: Clock;
  logger: Logger;
  onChange?: (report: SourceReport) => void;
}

/**
 * Publishes this instance's view of each upstream source on `status.sources.<source>`: at once
 * when it changes, and again every few seconds, so a reader that starts later learns it and a
 * report that stops coming tells the reader this instance is gone.
 */
export class SourceReporter {
  private readonly last = new Map<string, SourceReport>();
  private timer: ClockTimer | undefined;

  constructor(private readonly options: SourceReporterOptions) {}

  start(): void {
    this.timer = this.options.clock.setInterval(() => this.check(), CHECK_INTERVAL_MS);
  }

  close(): void {
    this.timer?.clear();
  }

  /** The latest report of each source, for `/healthz`. */
  reports(): SourceReport[] {
    return [...this.last.values()];
  }

  check(): void {
    const { probes, clock, instance } = this.options;
    const now = clock.now();
    for (const probe of probes) {
      const current = probe.check(now);
      if (!current) continue;
      const previous = this.last.get(probe.source);
      const changed = previous?.state !== current.state || previous.reason !== (current.state === "down" ? current.reason : undefined);
      if (!changed && now - previous!.ts < SOURCE_REPORT_INTERVAL_MS) continue;
      const report: SourceReport = { source: probe.source, ...current, since: changed ? now : previous!.since, instance, ts: now };
      this.last.set(probe.source, report);
      this.publish(report, changed);
    }
  }

  private publish(report: SourceReport, changed: boolean): void {
    const { nc, logger, onChange } = this.options;
    if (changed) {
      logger.info({ source: report.source, state: report.state, reason: report.reason }, `upstream ${report.source} is ${report.state}`);
      onChange?.(report);
    }
    try {
      nc.publish(sourceStatusSubject(report.source), JSON.stringify(report));
    } catch (error) {
      // Only a closed connection throws; the next report says it again.
      logger.warn({ err: (error as Error).message }, "could not publish a source report");
    }
  }
}
