import { startTransition, useEffect, useRef, useState } from "react";

/**
 * `value`, passed on at most once per `intervalMs`; the latest one always arrives
 * by the end of the interval. With `jitter` (a fraction), each caller's interval is
 * drawn once around `intervalMs`, so that many components mounted together do not
 * all redraw in the same frame every interval. The update is a transition: React
 * renders it in slices, yielding to the browser, so a redraw never blocks a frame.
 */
export function useThrottled<T>(value: T, intervalMs: number, { jitter = 0, random = Math.random } = {}): T {
  const [shown, setShown] = useState(value);
  const shownAt = useRef(0);
  const interval = useRef(intervalMs * (1 + jitter * (random() - 0.5)));
  useEffect(() => {
    const show = () => {
      shownAt.current = Date.now();
      startTransition(() => setShown(value));
    };
    const wait = shownAt.current + interval.current - Date.now();
    if (wait <= 0) return show();
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value]);
  return shown;
}
