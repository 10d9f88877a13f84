/**
 * Zoom from state (URL restore, the reset button), after every redraw: both flame graphs (a run's
 * and a comparison's) find the zoomed frame's node in their own tree, then this walks the drawn
 * d3 hierarchy to it. A fresh or redrawn chart is unzoomed: resetting it would only replay the
 * draw, so `zoomed` remembers whether the last call zoomed in.
 */
import type { FlameGraph as Chart, HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";

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
