import { HISTORY_DEPTH, type SequencedTick, type StatusReport } from "@cryptostream/core/contracts";
import { create } from "zustand";

export type ConnectionStatus = { state: "connecting" } | { state: "live" } | { state: "reconnecting"; retryAt: number } | { state: "offline" };

export interface PriceState {
  /** Latest tick per symbol. */
  latest: Record<string, SequencedTick>;
  /** Ticks received live per symbol, oldest first, at most {@link HISTORY_DEPTH}. */
  live: Record<string, SequencedTick[]>;
  lastSeq: number;
  /** When the last tick arrived in this browser (ms since epoch), 0 before the first. */
  lastTickAt: number;
  status: ConnectionStatus;
  /** The broadcaster said its prices come from the simulated exchange. */
  simulated: boolean;
  /** Symbols the broadcaster says are stale (none listed: all fresh), and each upstream source's state. */
  stale: StatusReport["symbols"];
  sources: StatusReport["sources"];
  /** Symbols whose reference price leaves a venue out or is withheld, as the broadcaster last said. */
  references: NonNullable<StatusReport["references"]>;
  applyTicks(ticks: readonly SequencedTick[]): void;
  /** The whole state from `hello`, or a change from `status`. */
  applyStatus(status: StatusReport, whole: boolean): void;
  setStatus(status: ConnectionStatus): void;
  setSimulated(simulated: boolean): void;
}

export const usePriceStore = create<PriceState>()((set) => ({
  latest: {},
  live: {},
  lastSeq: 0,
  lastTickAt: 0,
  status: { state: "connecting" },
  simulated: false,
  stale: {},
  sources: {},
  references: {},
  applyStatus: (status, whole) =>
    set((state) => {
      const stale = whole ? {} : { ...state.stale };
      for (const [symbol, change] of Object.entries(status.symbols)) {
        if (change.state === "stale") stale[symbol] = change;
        else delete stale[symbol];
      }
      const references = whole ? {} : { ...state.references };
      for (const [symbol, change] of Object.entries(status.references ?? {})) {
        if (change.dropped.length > 0 || change.withheld) references[symbol] = change;
        else delete references[symbol];
      }
      return { stale, references, sources: whole ? { ...status.sources } : { ...state.sources, ...status.sources } };
    }),
  applyTicks: (ticks) =>
    set((state) => {
      if (ticks.length === 0) return state;
      const latest = { ...state.latest };
      const live = { ...state.live };
      let lastSeq = state.lastSeq;
      for (const tick of ticks) {
        const previous = latest[tick.symbol];
        if (previous && previous.seq >= tick.seq) continue;
        latest[tick.symbol] = tick;
        const series = [...(live[tick.symbol] ?? []), tick];
        live[tick.symbol] = series.length > HISTORY_DEPTH ? series.slice(-HISTORY_DEPTH) : series;
        lastSeq = Math.max(lastSeq, tick.seq);
      }
      return { latest, live, lastSeq, lastTickAt: Date.now() };
    }),
  setStatus: (status) => set({ status }),
  setSimulated: (simulated) => set({ simulated }),
}));
