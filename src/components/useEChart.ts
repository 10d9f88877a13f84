/**
 * One echarts instance per element: created with the system's light/dark theme, resized with
 * its element, disposed on unmount or when `deps` change. Only echarts/core is imported here;
 * each chart component registers the few charts and components it draws (`echarts.use`), so
 * a page loads only those. A chart whose parts live in a lazily loaded chunk passes `load`: the
 * instance is made once it has resolved (and not at all if the component is gone by then).
 */
import { init, type EChartsType } from "echarts/core";
import { useEffect, useRef, type DependencyList, type RefObject } from "react";

export function useEChart(
  setup: (chart: EChartsType, node: HTMLDivElement) => void | (() => void),
  deps: DependencyList,
  load?: () => Promise<unknown>,
): { el: RefObject<HTMLDivElement | null>; chart: RefObject<EChartsType | null> } {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let instance: EChartsType | null = null;
    let ro: ResizeObserver | null = null;
    let cleanup: void | (() => void);
    let gone = false;
    const start = (): void => {
      if (gone) return;
      const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      const made = init(node, dark ? "dark" : undefined, { renderer: "canvas" });
      instance = made;
      chart.current = made;
      // Made before setup's own observers, so the chart has its new size when theirs run.
      ro = new ResizeObserver(() => made.resize());
      ro.observe(node);
      cleanup = setup(made, node);
    };
    if (load) void load().then(start);
    else start();
    return () => {
      gone = true;
      ro?.disconnect();
      cleanup?.();
      (instance as EChartsType | null)?.dispose();
      chart.current = null;
    };
    // The caller names what the chart depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { el, chart };
}
