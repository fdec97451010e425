import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useContext, useLayoutEffect, useRef, useState, type RefObject } from "react";
import { RenderPolicyContext } from "./render-policy";

export interface WindowedRows<T extends HTMLElement> {
  /** Put on the element that holds the rows. */
  listRef: RefObject<T | null>;
  /** The rows to render, in order. */
  indexes: number[];
  /** Heights of the space to leave above and below them. */
  before: number;
  after: number;
  /** Put on each row (with `data-index`) so the real heights replace the estimate; undefined when not windowing. */
  measure: ((element: Element | null) => void) | undefined;
}

/**
 * Windowing for a list scrolled with the page: hundreds of live cards or rows
 * cost the browser only the few dozen on screen. Rows stay in normal flow
 * between two spacers, so the table and the card grid keep their own layout.
 */
export function useWindowedRows<T extends HTMLElement>(count: number, estimatedRowHeight: number): WindowedRows<T> {
  const listRef = useRef<T | null>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const enabled = count > useContext(RenderPolicyContext).windowAboveRows;
  // biome-ignore lint/correctness/useExhaustiveDependencies: measured again when windowing turns on or off, which moves the list
  useLayoutEffect(() => {
    const measureMargin = () => {
      if (listRef.current) setScrollMargin(listRef.current.getBoundingClientRect().top + window.scrollY);
    };
    measureMargin();
    window.addEventListener("resize", measureMargin);
    return () => window.removeEventListener("resize", measureMargin);
  }, [enabled]);
  const virtualizer = useWindowVirtualizer({ count, estimateSize: () => estimatedRowHeight, overscan: 1, scrollMargin, enabled });
  // A row without layout (not displayed yet, or a DOM without layout) keeps the estimate: measuring
  // it as 0 would bring every other row into view at once.
  const measure = useCallback(
    (element: Element | null) => {
      if (element && element.getBoundingClientRect().height > 0) virtualizer.measureElement(element);
    },
    [virtualizer],
  );

  if (!enabled) return { listRef, indexes: Array.from({ length: count }, (_, i) => i), before: 0, after: 0, measure: undefined };
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  return {
    listRef,
    indexes: items.map((item) => item.index),
    before: first ? first.start - scrollMargin : 0,
    after: last ? Math.max(0, virtualizer.getTotalSize() - (last.end - scrollMargin)) : 0,
    measure,
  };
}

/** Columns of `minWidth` (and `gap` between them) that fit the element's width, kept current as it resizes. */
export function useColumns(ref: RefObject<HTMLElement | null>, minWidth: number, gap: number): number {
  const [columns, setColumns] = useState(1);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => setColumns(Math.max(1, Math.floor((element.clientWidth + gap) / (minWidth + gap))));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, minWidth, gap]);
  return columns;
}
