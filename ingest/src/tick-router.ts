import type { Logger, Tick } from "@cryptostream/core";
import type { IngestMetrics } from "./metrics";
import type { TickPublisher } from "./publisher";
import type { SourceSelector } from "./source-selector";
import type { UpstreamResult } from "./sources/upstream-result";
import { UNCHANGED, type TickGate } from "./tick-gate";

/**
 * Takes what each upstream message turned into to the publisher: only ticks of the source
 * active for their symbol, that pass the gate; everything refused is counted and logged.
 */
export class TickRouter {
  /** The last tick published of each symbol. */
  readonly lastTick = new Map<string, Tick>();

  constructor(
    private readonly selector: SourceSelector,
    private readonly gate: TickGate,
    private readonly publisher: TickPublisher,
    private readonly measured: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  handle(source: string, result: UpstreamResult): void {
    if (result.kind === "rejected") return this.reject(source, result.reason, result.message);
    if (result.kind !== "tick") return;
    if (!this.selector.accepts(result.tick.source, result.tick.symbol)) return;
    const verdict = this.gate.admit(result.tick);
    if (!verdict.ok && verdict.reason === UNCHANGED) return void this.measured.unchanged.inc({ source });
    if (!verdict.ok) return this.reject(source, verdict.reason, verdict.message);
    this.lastTick.set(verdict.tick.symbol, verdict.tick);
    this.publisher.publish(verdict.tick);
  }

  private reject(source: string, reason: string, message: string): void {
    this.measured.rejected.inc({ stage: "ingest", reason });
    this.logger.warn({ source, reason }, `rejected upstream message: ${message}`);
  }
}
