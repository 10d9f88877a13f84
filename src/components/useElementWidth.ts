/** The width of an element in CSS pixels, kept up to date as it resizes. */
import { useLayoutEffect, useState, type RefObject } from "react";

/**
 * A layout effect, so the width is known before the first paint and a chart draws in one pass;
 * resizes are debounced (120 ms), as redrawing a large flame graph on every frame of a drag is slow.
 */
export function useElementWidth(ref: RefObject<HTMLElement | null>): number {
  const [widthPx, setWidthPx] = useState(0);
  useLayoutEffect(() => {
    const node = ref.current;
    if (!node) return;
    setWidthPx(node.clientWidth);
    let timer = 0;
    const ro = new ResizeObserver(() => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setWidthPx(node.clientWidth), 120);
    });
    ro.observe(node);
    return () => {
      window.clearTimeout(timer);
      ro.disconnect();
    };
  }, [ref]);
  return widthPx;
}
