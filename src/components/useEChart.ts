/**
 * One echarts instance per element: created with the system's light/dark theme, resized with
 * its element, disposed on unmount or when `deps` change. Only echarts/core is imported here;
 * each chart component registers the few charts and components it draws (`echarts.use`), so
 * a page loads only those.
 */
import { init, type EChartsType } from "echarts/core";
import { useEffect, useRef, type DependencyList, type RefObject } from "react";

export function useEChart(
  setup: (chart: EChartsType) => void | (() => void),
  deps: DependencyList,
): { el: RefObject<HTMLDivElement | null>; chart: RefObject<EChartsType | null> } {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const instance = init(node, dark ? "dark" : undefined, { renderer: "canvas" });
    chart.current = instance;
    const cleanup = setup(instance);
    const ro = new ResizeObserver(() => instance.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      cleanup?.();
      instance.dispose();
      chart.current = null;
    };
    // The caller names what the chart depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { el, chart };
}
