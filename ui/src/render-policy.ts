import { createContext } from "react";
import type { SequencedTick } from "@cryptostream/core/contracts";

/** How the app turns the feed into renders; an entry may render under another (the UI benchmark's baseline does). */
export interface RenderPolicy {
  /** Lists of more rows than this render only the rows near the viewport; shorter ones render whole (and stay findable with Ctrl-F). */
  windowAboveRows: number;
  /** When the feed hands over what it collected; once per animation frame by default. */
  scheduleFrame?: (flush: () => void) => void;
  /** Puts ticks into the store; `applyTicks` at once by default. */
  deliverTicks?: (ticks: SequencedTick[], applyTicks: (ticks: SequencedTick[]) => void) => void;
}

export const DEFAULT_RENDER_POLICY: RenderPolicy = { windowAboveRows: 30 };

export const RenderPolicyContext = createContext<RenderPolicy>(DEFAULT_RENDER_POLICY);
