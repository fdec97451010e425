import { validateTick, type Tick } from "@cryptostream/core";

export type GateVerdict = { ok: true; tick: Tick } | { ok: false; reason: string; message: string };

/** The verdict on a repeat of the last published event: nothing wrong, nothing new (a poll between upstream updates). */
export const UNCHANGED = "unchanged";

/**
 * The last check before publishing: the tick schema, then order. A tick older than
 * the last one published for the same symbol and source is dropped, and a repeat
 * of the last one is skipped.
 */
export class TickGate {
  private readonly lastTs = new Map<string, number>();

  admit(candidate: Tick): GateVerdict {
    const validation = validateTick(candidate);
    if (!validation.ok) return validation;
    const { tick } = validation;
    const key = `${tick.source}:${tick.symbol}`;
    const last = this.lastTs.get(key);
    if (last === tick.ts) return { ok: false, reason: UNCHANGED, message: `ts ${tick.ts} was published already` };
    if (last !== undefined && tick.ts < last) {
      return { ok: false, reason: "out_of_order", message: `ts ${tick.ts} is older than the last published ${last}` };
    }
    this.lastTs.set(key, tick.ts);
    return { ok: true, tick };
  }
}
