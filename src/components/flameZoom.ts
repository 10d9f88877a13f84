/**
 * Zoom from state (URL restore, the reset button), after every redraw: both flame graphs (a run's
 * and a comparison's) find the zoomed frame's node in their own tree, then this walks the drawn
 * d3 hierarchy to it. A fresh or redrawn chart is unzoomed: resetting it would only replay the
 * draw, so `zoomed` remembers whether the last call zoomed in.
 */
import type { FlameGraph as Chart, HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";
import { useEffect, useRef, type RefObject } from "react";
import type { FramePath } from "../site/url.ts";

/** Zooms `chart` (drawn in `host`) to the node whose datum has `idx` (≤ 0: none, the whole graph);
 * false when nothing is drawn yet. */
export function zoomToNode<D extends { idx: number }>(chart: Chart<D>, host: Element, idx: number, zoomed: { current: boolean }): boolean {
  const root = select(host).datum() as HierarchyNode<D> | undefined;
  if (!root) return false;
  let target: HierarchyNode<D> | null = null;
  if (idx > 0) {
    const stack: Array<HierarchyNode<D>> = [root];
    while (stack.length > 0 && !target) {
      const n = stack.pop()!;
      if (n.data.idx === idx) target = n;
      else if (n.children) stack.push(...n.children);
    }
  }
  if (target) chart.zoomTo(target);
  else if (zoomed.current) chart.resetZoom();
  zoomed.current = target !== null;
  return true;
}

/**
 * The effect both flame graphs run: after a zoom change or any redraw (`redraw`: what redraws the
 * chart), zoom to the node `find` names for `zoom`, then `after` (labels, the keyboard's frames).
 */
export function useZoomFromState<D extends { idx: number }>(
  chartRef: RefObject<Chart<D> | null>,
  host: RefObject<HTMLElement | null>,
  zoom: FramePath | null,
  find: (zoom: FramePath) => number,
  after: () => void,
  redraw: readonly unknown[],
): void {
  const zoomKey = zoom ? JSON.stringify(zoom) : "";
  const zoomed = useRef(false);
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !host.current) return;
    if (!zoomToNode(chart, host.current, zoom ? find(zoom) : -1, zoomed)) return;
    after();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [zoomKey, ...redraw]);
}
