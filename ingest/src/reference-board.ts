import { referenceStatusSubject, type Logger, type NatsConnection, type ReferenceOutcome, type ReferenceStatus, type Tick } from "@cryptostream/core";
import type { IngestMetrics } from "./metrics";

export interface ReferenceBoardOptions {
  nc: NatsConnection;
  measured: IngestMetrics;
  logger: Logger;
}

/** The latest of one symbol: its last reference tick, and how it stands. */
export interface ReferenceState {
  tick: Tick | undefined;
  status: ReferenceStatus;
}

/**
 * Each symbol's reference price as ingest last formed it, and the news in it: a venue left out
 * (an outlier, or stale) or back in, a price withheld or formed again. Each change is counted,
 * logged and reported on `status.reference.<symbol>`, for the broadcaster to tell its clients.
 */
export class ReferenceBoard {
  readonly symbols = new Map<string, ReferenceState>();

  constructor(private readonly options: ReferenceBoardOptions) {}

  observe(outcome: ReferenceOutcome, storedAt: number): void {
    const symbol = outcome.kind === "tick" ? outcome.tick.symbol : outcome.symbol;
    const inputs = outcome.kind === "tick" ? (outcome.tick.inputs ?? []) : outcome.inputs;
    const dropped = inputs.flatMap(({ venue, dropped: reason }) => (reason === "outlier" || reason === "stale" ? [{ venue, reason }] : []));
    const withheld = outcome.kind === "withheld" ? outcome.reason : undefined;
    if (withheld) this.options.measured.withheld.inc({ symbol, reason: withheld });
    const previous = this.symbols.get(symbol);
    const status: ReferenceStatus = { symbol, dropped, since: storedAt, ...(withheld && { withheld }) };
    const tick = outcome.kind === "tick" ? outcome.tick : previous?.tick;
    if (previous && sameStanding(previous.status, status)) {
      this.symbols.set(symbol, { tick, status: previous.status });
      return;
    }
    this.symbols.set(symbol, { tick, status });
    for (const entry of dropped) {
      if (previous?.status.dropped.some((before) => before.venue === entry.venue && before.reason === entry.reason)) continue;
      this.options.measured.venueDropped.inc({ symbol, venue: entry.venue, reason: entry.reason });
    }
    if (previous || dropped.length > 0 || withheld) this.report(status);
  }

  private report(status: ReferenceStatus): void {
    const { logger, nc } = this.options;
    logger.info({ symbol: status.symbol, dropped: status.dropped, withheld: status.withheld }, "reference price standing changed");
    try {
      nc.publish(referenceStatusSubject(status.symbol), JSON.stringify(status));
    } catch (error) {
      logger.warn({ err: (error as Error).message }, "could not report a reference status");
    }
  }
}

function sameStanding(a: ReferenceStatus, b: ReferenceStatus): boolean {
  const key = (status: ReferenceStatus) => `${status.withheld ?? ""}|${status.dropped.map((entry) => `${entry.venue}:${entry.reason}`).join(",")}`;
  return key(a) === key(b);
}
