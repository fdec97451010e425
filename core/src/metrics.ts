import { Counter, Registry, collectDefaultMetrics } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  /** Ticks refused by the tick schema or a sanity check, by where and why. */
  ticksRejected: Counter<"stage" | "reason">;
}

/** A registry of its own per service instance, so tests can run several in one process. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const ticksRejected = new Counter({
    name: "cryptostream_ticks_rejected_total",
    help: "Ticks rejected, by stage (ingest, broadcaster, history) and reason",
    labelNames: ["stage", "reason"] as const,
    registers: [registry],
  });
  return { registry, ticksRejected };
}
