import { z } from "zod";
import { SYMBOL_PATTERN } from "./names";

/** Oldest upstream event time a tick may carry (2009-01-03, the Bitcoin genesis block). */
const EARLIEST_TS = 1_230_940_800_000;

/** The one schema of a price tick, checked on publish and on consume. */
export const TickSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN, "must be a lowercase base asset such as btc"),
  price: z.number().finite().positive(),
  ts: z.number().int().min(EARLIEST_TS, "must be ms since epoch"),
  source: z.string().regex(/^[a-z0-9_-]{1,32}$/, "must be a lowercase source name"),
  change24h: z.number().finite().optional(),
  volume24h: z.number().finite().nonnegative().optional(),
});

export type Tick = z.infer<typeof TickSchema>;

/** A tick as it leaves JetStream: with its stream sequence. */
export type SequencedTick = Tick & { seq: number };

export type TickValidation =
  | { ok: true; tick: Tick }
  | { ok: false; reason: TickRejectReason; message: string };

export type TickRejectReason = "malformed_json" | "invalid_tick" | "subject_mismatch";

/** Validates an already-parsed value against {@link TickSchema}. */
export function validateTick(value: unknown): TickValidation {
  const result = TickSchema.safeParse(value);
  if (result.success) return { ok: true, tick: result.data };
  const message = result.error.issues
    .map((issue) => `${issue.path.join(".") || "tick"}: ${issue.message}`)
    .join("; ");
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
