/**
 * Search and highlight on a drawn flame graph (a run's or a comparison's): a selected function
 * wins over the search box, one highlight at a time. The selection goes through d3-flame-graph's
 * own search, as a term no typed text can equal (each chart's search matcher tests for it).
 */
import type { FlameGraph as Chart } from "d3-flame-graph";
import { useEffect, type RefObject } from "react";

/** The search term that stands for "the highlighted function" in d3-flame-graph's search. */
export const HIGHLIGHT_TERM = "\u0000highlight";

/** Re-runs the search (or the highlight, or clears both: `cleared`) after it changes or any redraw (`redraw`). */
export function useChartSearch<D>(
  chartRef: RefObject<Chart<D> | null>,
  search: string | undefined,
  highlight: string | null | undefined,
  cleared: () => void,
  redraw: readonly unknown[],
): void {
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    if (highlight) chart.search(HIGHLIGHT_TERM);
    else if (search) chart.search(search);
    else {
      chart.clear();
      cleared();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search, highlight, ...redraw]);
}
