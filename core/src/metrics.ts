import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  /** Ticks refused by the tick schema or a sanity check, by where and why. */
  ticksRejected: Counter<"stage" | "reason">;
  /** A counter registered with this service's registry. */
  counter<Label extends string = never>(name: string, help: string, labelNames?: readonly Label[]): Counter<Label>;
  /** A gauge whose value is read when `/metrics` is scraped. */
  gauge(name: string, help: string, read: () => number): Gauge;
  histogram(name: string, help: string, buckets: number[]): Histogram;
}

/** A registry of its own per service instance, so tests can run several in one process. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const counter = <Label extends string = never>(name: string, help: string, labelNames: readonly Label[] = []) =>
    new Counter<Label>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    ticksRejected: counter("cryptostream_ticks_rejected_total", "Ticks rejected, by stage (ingest, reference, broadcaster, history, candles) and reason", [
      "stage",
      "reason",
    ]),
    counter,
    histogram: (name, help, buckets) => new Histogram({ name, help, buckets, registers: [registry] }),
    gauge: (name, help, read) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      }),
  };
}
