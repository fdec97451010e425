import type { Tick, UpstreamRejectReason } from "@cryptostream/core";

/** What one upstream message turned into. */
export type UpstreamResult =
  | { kind: "tick"; tick: Tick }
  | { kind: "control"; message: Record<string, unknown> }
  | { kind: "shutdown" }
  | { kind: "rejected"; reason: UpstreamRejectReason; message: string };
