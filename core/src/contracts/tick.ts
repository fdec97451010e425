import { z } from "zod";
import { REFERENCE_DROP_REASONS, type TickRejectReason } from "./codes";
import { SOURCE_PATTERN, SYMBOL_PATTERN } from "./names";

/** Oldest upstream event time a tick may carry (2009-01-03, the Bitcoin genesis block). */
const EARLIEST_TS = 1_230_940_800_000;

/** Most inputs a reference tick lists: one per venue. */
const MAX_INPUTS = 8;

/** One venue's last price as a reference tick used it, or says why it did not. */
export const ReferenceInputSchema = z.object({
  venue: z.string().regex(SOURCE_PATTERN, "must be a lowercase source name"),
  price: z.number().finite().positive(),
  /** How long before the input's its tick was stored, ms. */
  age: z.number().int().nonnegative(),
  dropped: z.enum(REFERENCE_DROP_REASONS).optional(),
});
export type ReferenceInput = z.infer<typeof ReferenceInputSchema>;

/** The one schema of a price tick, checked on publish and on consume. */
export const TickSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN, "must be a lowercase base asset such as btc"),
  price: z.number().finite().positive(),
  ts: z.number().int().min(EARLIEST_TS, "must be ms since epoch"),
  source: z.string().regex(SOURCE_PATTERN, "must be a lowercase source name"),
  change24h: z.number().finite().optional(),
  volume24h: z.number().finite().nonnegative().optional(),
  /** On a reference tick: every venue it weighed. */
  inputs: z.array(ReferenceInputSchema).max(MAX_INPUTS).optional(),
});

export type Tick = z.infer<typeof TickSchema>;

/** A tick as it leaves JetStream: with its stream sequence. */
export type SequencedTick = Tick & { seq: number };

export type TickValidation =
  /** `exact`: the tick is the validated value itself, no field stripped, so its stored JSON can be reused as it is. */
  { ok: true; tick: Tick; exact: boolean } | { ok: false; reason: TickRejectReason; message: string };

const optionalFinite = (value: unknown) => value === undefined || (typeof value === "number" && Number.isFinite(value));
const DROP_REASONS: ReadonlySet<unknown> = new Set(REFERENCE_DROP_REASONS);

function isExactInput(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { venue, price, age, dropped, ...rest } = value as Record<string, unknown>;
  return (
    typeof venue === "string" &&
    SOURCE_PATTERN.test(venue) &&
    typeof price === "number" &&
    Number.isFinite(price) &&
    price > 0 &&
    Number.isInteger(age) &&
    (age as number) >= 0 &&
    (dropped === undefined ? !("dropped" in (value as object)) : DROP_REASONS.has(dropped)) &&
    Object.keys(rest).length === 0
  );
}

const optionalInputs = (value: unknown) => value === undefined || (Array.isArray(value) && value.length <= MAX_INPUTS && value.every(isExactInput));

/**
 * The same rules as {@link TickSchema}, hand-written for the hot path: true only
 * for a tick with no field the schema would strip, so it can be used as it is.
 */
function isExactTick(value: unknown): value is Tick {
  if (typeof value !== "object" || value === null) return false;
  const tick = value as Record<string, unknown>;
  const { symbol, price, ts, source, change24h, volume24h } = tick;
  return (
    typeof symbol === "string" &&
    SYMBOL_PATTERN.test(symbol) &&
    typeof price === "number" &&
    Number.isFinite(price) &&
    price > 0 &&
    Number.isInteger(ts) &&
    (ts as number) >= EARLIEST_TS &&
    typeof source === "string" &&
    SOURCE_PATTERN.test(source) &&
    optionalFinite(change24h) &&
    optionalFinite(volume24h) &&
    (volume24h === undefined || (volume24h as number) >= 0) &&
    optionalInputs(tick.inputs) &&
    Object.keys(tick).length === 4 + Number("change24h" in tick) + Number("volume24h" in tick) + Number("inputs" in tick)
  );
}

/** Validates an already-parsed value against {@link TickSchema}. */
export function validateTick(value: unknown): TickValidation {
  if (isExactTick(value)) return { ok: true, tick: value, exact: true };
  const result = TickSchema.safeParse(value);
  if (result.success) return { ok: true, tick: result.data, exact: false };
  const message = result.error.issues.map((issue) => `${issue.path.join(".") || "tick"}: ${issue.message}`).join("; ");
  return { ok: false, reason: "invalid_tick", message };
}

/** Parses and validates a tick as it is stored on a `prices.<symbol>` subject. */
export function decodeTick(payload: string, expectedSymbol?: string): TickValidation {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    return { ok: false, reason: "malformed_json", message: (error as Error).message };
  }
  const result = validateTick(value);
  if (result.ok && expectedSymbol !== undefined && result.tick.symbol !== expectedSymbol) {
    return {
      ok: false,
      reason: "subject_mismatch",
      message: `tick for ${result.tick.symbol} published on the subject of ${expectedSymbol}`,
    };
  }
  return result;
}

/** `Nats-Msg-Id` of a tick: one upstream event gives one id, whoever publishes it. */
export function tickMsgId(tick: Tick): string {
  return `${tick.source}:${tick.symbol}:${tick.ts}`;
}
