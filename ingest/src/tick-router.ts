import { venueTickSubject, tickMsgId, type Logger } from "@cryptostream/core";
import type { IngestMetrics } from "./metrics";
import type { TickPublisher } from "./publisher";
import type { UpstreamResult } from "./sources/upstream-result";
import { HELD, UNCHANGED, inTsOrder, type TickGate } from "./tick-gate";

/**
 * Takes what each upstream message turned into to the publisher, as the venue's tick on
 * `ticks.<venue>.<symbol>`: only ticks that pass the gate; everything refused is counted and logged.
 */
export class TickRouter {
  constructor(
    private readonly gate: TickGate,
    private readonly publisher: TickPublisher,
    private readonly measured: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  handle(source: string, result: UpstreamResult): void {
    if (result.kind === "rejected") return this.reject(source, result.reason, result.message);
    if (result.kind !== "tick") return;
    const verdict = this.gate.admit(result.tick);
    if (!verdict.ok && verdict.reason === UNCHANGED) return void this.measured.unchanged.inc({ source });
    if (!verdict.ok && verdict.reason === HELD) return void this.measured.held.inc({ source });
    if (!verdict.ok) return this.reject(source, verdict.reason, verdict.message);
    for (const dropped of verdict.dropped) this.reject(source, dropped.reason, dropped.message);
    for (const tick of inTsOrder(verdict.released, verdict.tick)) {
      this.publisher.publish(tick, { subject: venueTickSubject(tick.source, tick.symbol), msgId: tickMsgId(tick) });
    }
  }

  private reject(source: string, reason: string, message: string): void {
    this.measured.rejected.inc({ stage: "ingest", reason });
    this.logger.warn({ source, reason }, `rejected upstream message: ${message}`);
  }
}
