import {
  REFERENCE_STATUS_SUBJECTS,
  SOURCE_REPORT_EXPIRES_MS,
  SOURCE_STATUS_SUBJECTS,
  decodeReferenceStatus,
  decodeSourceReport,
  type ReferenceStatus,
  type NatsConnection,
  type Clock,
  type ClockTimer,
  type SourceReport,
  type SourceStatus,
  type StatusReport,
  type SymbolStatus,
} from "@cryptostream/core";

const CHECK_INTERVAL_MS = 1_000;

export interface StatusBoardOptions {
  /** A symbol with no tick stored for this long is stale. */
  staleAfterMs: number;
  clock: Clock;
  /** Symbols or sources changed state: what changed. */
  onChange: (change: StatusReport) => void;
}

interface SourceReports {
  byInstance: Map<string, { report: SourceReport; receivedAt: number }>;
  status: SourceStatus | undefined;
}

/**
 * What the data is worth now: which symbols are stale (no tick stored for `staleAfterMs`) and
 * which upstream sources are down, across every ingest instance's reports (up while any
 * instance's latest report, not yet expired, says so; `unreported` once none is left).
 */
export class StatusBoard {
  private readonly symbols = new Map<string, SymbolStatus>();
  private readonly sources = new Map<string, SourceReports>();
  private readonly references = new Map<string, Omit<ReferenceStatus, "symbol">>();
  private timer: ClockTimer | undefined;

  constructor(private readonly options: StatusBoardOptions) {}

  start(): void {
    this.timer = this.options.clock.setInterval(() => this.check(), CHECK_INTERVAL_MS);
  }

  close(): void {
    this.timer?.clear();
  }

  /** A tick of `symbol` from `source` was stored at `storedAtMs`: a stale symbol is fresh again. */
  observe(symbol: string, source: string, storedAtMs: number): void {
    const status = this.symbols.get(symbol);
    if (status && status.state === "fresh") {
      status.lastTickAt = storedAtMs;
      status.source = source;
      return;
    }
    const now = this.options.clock.now();
    const fresh: SymbolStatus = { state: "fresh", since: now, lastTickAt: storedAtMs, source };
    this.symbols.set(symbol, fresh);
    // A first tick that is already old goes stale at the next check; only a stale symbol's return is news.
    if (status) this.options.onChange({ symbols: { [symbol]: { ...fresh } }, sources: {} });
  }

  /** One ingest instance's report on one source. */
  report(report: SourceReport): void {
    let entry = this.sources.get(report.source);
    if (!entry) {
      entry = { byInstance: new Map(), status: undefined };
      this.sources.set(report.source, entry);
    }
    entry.byInstance.set(report.instance, { report, receivedAt: this.options.clock.now() });
    const change = this.settleSource(entry);
    if (change) this.options.onChange({ symbols: {}, sources: { [report.source]: change } });
  }

  /** Ingest's word on a symbol's reference price: told to clients when its standing changed (every replica reports the same). */
  reference({ symbol, ...status }: ReferenceStatus): void {
    const previous = this.references.get(symbol);
    const standing = (entry: Omit<ReferenceStatus, "symbol"> | undefined) =>
      `${entry?.withheld ?? ""}|${(entry?.dropped ?? []).map((drop) => `${drop.venue}:${drop.reason}`).join(",")}`;
    if (standing(previous) === standing(status)) return;
    this.references.set(symbol, status);
    this.options.onChange({ symbols: {}, sources: {}, references: { [symbol]: status } });
  }

  /** Every stale symbol and every source: what `hello` carries. */
  current(): StatusReport {
    const symbols: StatusReport["symbols"] = {};
    for (const [symbol, status] of this.symbols) if (status.state === "stale") symbols[symbol] = { ...status };
    const sources: StatusReport["sources"] = {};
    for (const [source, entry] of this.sources) if (entry.status) sources[source] = { ...entry.status };
    const references: NonNullable<StatusReport["references"]> = {};
    for (const [symbol, status] of this.references) if (status.dropped.length > 0 || status.withheld) references[symbol] = status;
    return Object.keys(references).length > 0 ? { symbols, sources, references } : { symbols, sources };
  }

  /** Symbols gone stale, and sources whose reports expired. */
  check(): void {
    const now = this.options.clock.now();
    const change: StatusReport = { symbols: {}, sources: {} };
    for (const [symbol, status] of this.symbols) {
      if (status.state === "stale" || now - status.lastTickAt <= this.options.staleAfterMs) continue;
      status.state = "stale";
      status.since = now;
      change.symbols[symbol] = { ...status };
    }
    for (const [source, entry] of this.sources) {
      const changed = this.settleSource(entry);
      if (changed) change.sources[source] = changed;
    }
    if (Object.keys(change.symbols).length > 0 || Object.keys(change.sources).length > 0) this.options.onChange(change);
  }

  /** Recomputes a source's state from its unexpired reports, forgetting expired ones; the new status when it changed. */
  private settleSource(entry: SourceReports): SourceStatus | undefined {
    const now = this.options.clock.now();
    for (const [instance, held] of entry.byInstance) if (now - held.receivedAt > SOURCE_REPORT_EXPIRES_MS) entry.byInstance.delete(instance);
    const live = [...entry.byInstance.values()];
    const up = live.find((held) => held.report.state === "up");
    const newestDown = live.filter((held) => held.report.state === "down").sort((a, b) => b.report.ts - a.report.ts)[0];
    const next: SourceStatus = up ? { state: "up", since: now } : { state: "down", reason: newestDown?.report.reason ?? "unreported", since: now };
    const previous = entry.status;
    if (previous && previous.state === next.state && previous.reason === next.reason) return undefined;
    entry.status = next;
    return { ...next };
  }
}

/** Feeds ingest's reports on `status.sources.*` and `status.reference.*` to `board`; a report that is not one goes to `onReject`. */
export function followSourceReports(nc: NatsConnection, board: StatusBoard, onReject: (message: string) => void): { stop(): void } {
  const sources = nc.subscribe(SOURCE_STATUS_SUBJECTS, {
    callback: (error, message) => {
      if (error) return;
      const decoded = decodeSourceReport(message.string());
      if (decoded.ok) board.report(decoded.report);
      else onReject(`${message.subject}: ${decoded.message}`);
    },
  });
  const references = nc.subscribe(REFERENCE_STATUS_SUBJECTS, {
    callback: (error, message) => {
      if (error) return;
      const decoded = decodeReferenceStatus(message.string());
      if (decoded.ok) board.reference(decoded.status);
      else onReject(`${message.subject}: ${decoded.message}`);
    },
  });
  return {
    stop() {
      sources.unsubscribe();
      references.unsubscribe();
    },
  };
}
