import { z } from "zod";
import { SOURCE_PATTERN, SYMBOL_PATTERN } from "./names";
import { REFERENCE_DROP_REASONS, REFERENCE_WITHHELD_REASONS, SOURCE_DOWN_REASONS, type ReferenceWithheldReason, type SourceDownReason } from "./codes";

/** Subject prefix of ingest's reports on its upstream sources: `status.sources.<source>`. */
export const SOURCE_STATUS_SUBJECT_PREFIX = "status.sources";
/** Wildcard that matches every source's reports. */
export const SOURCE_STATUS_SUBJECTS = `${SOURCE_STATUS_SUBJECT_PREFIX}.*`;
/** How often each ingest instance reports every source, besides at once on a change. */
export const SOURCE_REPORT_INTERVAL_MS = 5_000;
/** A report older than this no longer counts: its ingest instance is gone or cut off. */
export const SOURCE_REPORT_EXPIRES_MS = 3 * SOURCE_REPORT_INTERVAL_MS;

export function sourceStatusSubject(source: string): string {
  return `${SOURCE_STATUS_SUBJECT_PREFIX}.${source}`;
}

/** One ingest instance's view of one upstream source, published on `status.sources.<source>`. */
export const SourceReportSchema = z.object({
  source: z.string().regex(SOURCE_PATTERN, "must be a lowercase source name"),
  state: z.enum(["up", "down"]),
  reason: z.enum(SOURCE_DOWN_REASONS).optional(),
  /** When this instance last saw the source change state (ms since epoch). */
  since: z.number().int().nonnegative(),
  /** The reporting ingest instance. */
  instance: z.string().min(1).max(64),
  /** When the report was made (ms since epoch). */
  ts: z.number().int().nonnegative(),
});
export type SourceReport = z.infer<typeof SourceReportSchema>;

export type SourceReportDecoding = { ok: true; report: SourceReport } | { ok: false; message: string };

export function decodeSourceReport(text: string): SourceReportDecoding {
  const decoded = decodeJson(SourceReportSchema, text, "report");
  return decoded.ok ? { ok: true, report: decoded.value } : decoded;
}

/** Subject prefix of ingest's reports on each symbol's reference price: `status.reference.<symbol>`. */
export const REFERENCE_STATUS_SUBJECT_PREFIX = "status.reference";
export const REFERENCE_STATUS_SUBJECTS = `${REFERENCE_STATUS_SUBJECT_PREFIX}.*`;

export function referenceStatusSubject(symbol: string): string {
  return `${REFERENCE_STATUS_SUBJECT_PREFIX}.${symbol}`;
}

/** How a symbol's reference price stands: the venues left out of it as outliers or stale, and whether it is withheld. */
export const ReferenceStatusSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN),
  // The aggregator kept as the last resort is not left out of the market: status says only outliers and stale venues.
  dropped: z.array(z.object({ venue: z.string().regex(SOURCE_PATTERN), reason: z.enum(REFERENCE_DROP_REASONS).exclude(["last_resort"]) })).max(8),
  /** Set while the venue ticks make no reference tick. */
  withheld: z.enum(REFERENCE_WITHHELD_REASONS).optional(),
  /** The stored time of the venue tick that changed it (ms since epoch). */
  since: z.number().int().nonnegative(),
});
export type ReferenceStatus = z.infer<typeof ReferenceStatusSchema>;
export type { ReferenceWithheldReason };

export function decodeReferenceStatus(text: string): { ok: true; status: ReferenceStatus } | { ok: false; message: string } {
  const decoded = decodeJson(ReferenceStatusSchema, text, "status");
  return decoded.ok ? { ok: true, status: decoded.value } : decoded;
}

/** Parses `text` and checks it against `schema`; what is wrong, path by path, when it does not fit. */
function decodeJson<T>(schema: z.ZodType<T>, text: string, what: string): { ok: true; value: T } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "not JSON" };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.map((issue) => `${issue.path.join(".") || what}: ${issue.message}`).join("; ") };
}

/** A symbol's freshness, as the broadcaster sees it. */
export interface SymbolStatus {
  /** `stale`: no tick stored for the broadcaster's `STALE_AFTER`. */
  state: "fresh" | "stale";
  /** When it became so (ms since epoch). */
  since: number;
  /** When its last tick was stored in JetStream, and where that tick came from. */
  lastTickAt: number;
  source: string;
}

/** An upstream source's state across every ingest instance: `up` while any says so. */
export interface SourceStatus {
  state: "up" | "down";
  reason?: SourceDownReason;
  since: number;
}

/** What a user should know about the data, beyond the ticks: stale symbols and down sources. */
export interface StatusReport {
  /** In `hello`, the stale symbols only (any other is fresh); in `status`, those that changed. */
  symbols: Record<string, SymbolStatus>;
  /** In `hello`, every source reported on; in `status`, those that changed. */
  sources: Record<string, SourceStatus>;
  /** Symbols whose reference price leaves a venue out or is withheld: in `hello` those, in `status` those that changed (an empty `dropped` and no `withheld`: all venues agree again). */
  references?: Record<string, Omit<ReferenceStatus, "symbol">>;
}
