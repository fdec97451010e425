import type { Tick, UpstreamRejectReason } from "@cryptostream/core";

/** What one upstream message turned into. */
export type UpstreamResult =
  | { kind: "tick"; tick: Tick }
  | { kind: "control"; message: Record<string, unknown> }
  | { kind: "shutdown" }
  /** The venue refused a subscription: the message says which and why. */
  | { kind: "subscribe_failed"; message: string }
  | { kind: "rejected"; reason: UpstreamRejectReason; message: string };

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; result: UpstreamResult } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, result: { kind: "rejected", reason: "malformed_json", message: `not JSON: ${(error as Error).message}` } };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The zod issues of a failed parse, in one line. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`).join("; ");
}
