import { useEffect } from "react";
import { create } from "zustand";

/** One shared clock for every "x s ago": one timer for the page, not one per card. */
export const useClock = create<{ now: number }>()(() => ({ now: Date.now() }));

let subscribers = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export function useNow(): number {
  useEffect(() => {
    if (subscribers++ === 0) timer = setInterval(() => useClock.setState({ now: Date.now() }), 1_000);
    return () => {
      if (--subscribers === 0) clearInterval(timer);
    };
  }, []);
  return useClock((state) => state.now);
}

/** `3 s ago`, `2 min ago`, `1 h ago`. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3_600)} h ago`;
}
