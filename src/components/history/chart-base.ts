/**
 * What the benchmark page's charts and table share: the echarts parts (a chunk of their own,
 * loaded when a chart first draws), the one base option every chart starts from, the run names
 * and the tooltip's text-only DOM nodes (untrusted strings are set as text, never HTML).
 */
import type { BenchmarkFileRun } from "../../content/benchmark-file.ts";
import { runLabel } from "../../shared/format.ts";

let echartsParts: Promise<unknown> | null = null;
export const loadECharts = () => (echartsParts ??= import("../../site/echarts-history.ts"));

/** The options every history chart starts from: transparent, still, legend on top, one grid. */
export const BASE_OPTION = {
  backgroundColor: "transparent",
  animation: false,
  legend: { top: 0, type: "scroll" },
  grid: { left: 70, right: 24, top: 36, bottom: 36 },
} as const;

export const runName = (r: BenchmarkFileRun) => runLabel(r.commit, null, r.id);

export function el(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
