import { validateTick, type Tick } from "@cryptostream/core";

export type GateVerdict = { ok: true; tick: Tick } | { ok: false; reason: string; message: string };

/**
 * The last check before publishing: the tick schema, then order. A tick older than
 * the last one published for the same symbol and source is dropped.
 */
export class TickGate {
  private readonly lastTs = new Map<string, number>();

  admit(candidate: Tick): GateVerdict {
    const validation = validateTick(candidate);
    if (!validation.ok) return validation;
    const { tick } = validation;
    const key = `${tick.source}:${tick.symbol}`;
    const last = this.lastTs.get(key);
    if (last !== undefined && tick.ts <= last) {
      return { ok: false, reason: "stale", message: `ts ${tick.ts} is not after the last published ${last}` };
    }
    this.lastTs.set(key, tick.ts);
    return { ok: true, tick };
  }
}
