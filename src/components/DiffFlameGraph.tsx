/**
 * A differential flame graph: one d3-flame-graph of a diff tree, width = head (or base) bytes,
 * colour = change, with the run page's tools: search, a highlighted function (the function
 * table's selection), zoom from and to the URL. Capture strings reach the DOM through
 * textContent only (our own tooltip, d3's .text()), as in FlameGraph.tsx.
 */
import flamegraph, { type FlameGraph as Chart, type HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";
import { useEffect, useMemo, useRef, useState } from "react";
import type { DiffTree } from "../content/diff.ts";
import { NodeFlag } from "../content/shapes.ts";
import {
  buildDiffData,
  deltaPercent,
  diffColour,
  diffFunctionKey,
  diffMatches,
  findDiffFramePath,
  maxAbsDelta,
  type DiffDatum,
  type DiffFilter,
  type DiffWidth,
} from "../site/diff.ts";
import { framePath } from "../site/flame.ts";
import { formatBytes, formatCount, formatPercent } from "../shared/format.ts";
import type { FramePath } from "../site/url.ts";
import { useFlameKeyboard } from "./flameKeyboard.ts";
import { HIGHLIGHT_TERM, useChartSearch } from "./flameSearch.ts";
import { useZoomFromState } from "./flameZoom.ts";
import { useElementWidth } from "./useElementWidth.ts";

interface Props {
  diff: DiffTree;
  width: DiffWidth;
  filter: DiffFilter;
  layout: "icicle" | "flame";
  /** Accessible name of the graph. */
  label: string;
  search?: string;
  /** A function (diffFunctionKey) whose frames are highlighted, or null. */
  highlight?: string | null;
  zoom?: FramePath | null;
  onZoom?: (path: FramePath | null) => void;
}

type Node = HierarchyNode<DiffDatum>;

const HIGHLIGHT_COLOUR = "hsl(280, 70%, 62%)";

function el(tag: string, className: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  e.textContent = text;
  return e;
}

function signed(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

export default function DiffFlameGraph({ diff, width, filter, layout, label, search = "", highlight = null, zoom = null, onZoom }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const widthPx = useElementWidth(host);
  const tip = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart<DiffDatum> | null>(null);
  const [matched, setMatched] = useState<{ sum: number; total: number; count: number } | null>(null);
  const data = useMemo(() => buildDiffData(diff, width, filter), [diff, width, filter]);
  const scale = useMemo(() => maxAbsDelta(diff), [diff]);
  const live = useRef({ diff, highlight, onZoom });
  live.current = { diff, highlight, onZoom };
  const keyboard = useFlameKeyboard<DiffDatum>(
    host,
    (d) => `${d.data.name.replace(/\u200E/g, "")}: base ${formatBytes(diff.baseBytes[d.data.idx]!)}, head ${formatBytes(diff.headBytes[d.data.idx]!)}, change ${signed(diff.headBytes[d.data.idx]! - diff.baseBytes[d.data.idx]!)}`,
    () => layout === "icicle",
  );

  useEffect(() => {
    const node = host.current;
    const tipNode = tip.current;
    if (!node || !tipNode || widthPx === 0) return;
    const tooltip = Object.assign((_: unknown) => {}, {
      show(event: MouseEvent, d: Node) {
        const i = d.data.idx;
        const flags = diff.flags[i]!;
        const b = diff.baseBytes[i]!;
        const h = diff.headBytes[i]!;
        tipNode.replaceChildren();
        tipNode.append(el("div", "tip-fn", flags & NodeFlag.OTHER ? "smaller frames (merged narrow frames)" : i === 0 ? "root" : diff.function[i]!));
        if (i !== 0 && !(flags & NodeFlag.OTHER)) tipNode.append(el("div", "tip-file", `${diff.filename[i]}:${diff.lineno[i]}`));
        tipNode.append(el("div", "tip-num", `base ${formatBytes(b)} → head ${formatBytes(h)}`));
        tipNode.append(el("div", "tip-delta", `change ${signed(h - b)} (${deltaPercent(b, h)})`));
        tipNode.append(el("div", "tip-count", `allocations ${formatCount(diff.baseCount[i]!)} → ${formatCount(diff.headCount[i]!)}`));
        if (flags & NodeFlag.NEW) tipNode.append(el("div", "tip-note", "New: only in head."));
        else if (flags & NodeFlag.VANISHED) tipNode.append(el("div", "tip-note", "Gone: only in base."));
        if (flags & NodeFlag.MAYBE_PRUNED) tipNode.append(el("div", "tip-note", "The other run merged narrow frames here: this frame may be inside its smaller frames, with at most their bytes."));
        const box = node.getBoundingClientRect();
        tipNode.style.left = `${Math.max(0, Math.min(event.clientX - box.left + 12, box.width - 320))}px`;
        tipNode.style.top = `${event.clientY - box.top + 16}px`;
        tipNode.hidden = false;
      },
      hide() {
        tipNode.hidden = true;
      },
    });
    const chart: Chart<DiffDatum> = flamegraph<DiffDatum>()
      .width(widthPx)
      .cellHeight(18)
      .transitionDuration(0)
      .inverted(layout === "icicle")
      .sort(false)
      .minFrameSize(1)
      .tooltip(tooltip)
      .getName((d) => d.data.name)
      .setColorMapper((d) => (d.highlight ? HIGHLIGHT_COLOUR : diffColour(diff, d.data.idx, scale)))
      .setSearchMatch((d, term) =>
        term === HIGHLIGHT_TERM ? d.data.idx > 0 && diffFunctionKey(live.current.diff, d.data.idx) === live.current.highlight : diffMatches(live.current.diff, d.data.idx, term),
      )
      .setSearchHandler((results, sum, total) => setMatched({ sum, total, count: results.length }))
      .setDetailsHandler(() => {})
      .onClick((d) => {
        keyboard.refresh();
        live.current.onZoom?.(d.data.idx === 0 ? null : framePath(live.current.diff, d.data.idx));
      });
    node.replaceChildren();
    select(node).datum(data).call(chart as never);
    const svg = node.querySelector("svg");
    svg?.setAttribute("aria-label", label);
    svg?.setAttribute("role", "group");
    keyboard.refresh();
    chartRef.current = chart;
    chart.transitionDuration(250);
    // For bench/compare.ts: when the diff reached the DOM.
    performance.mark("heaptrail:diff-drawn");
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, layout, widthPx, diff, scale, label]);

  // Zoom from state (URL restore, reset) after every redraw.
  useZoomFromState(chartRef, host, zoom, (z) => findDiffFramePath(diff, z), () => keyboard.refresh(), [data, layout, widthPx]);

  useChartSearch(chartRef, search, highlight, () => setMatched(null), [data, layout, widthPx]);

  return (
    <div className="flame-wrap">
      {(search || highlight) && matched && (
        <p className="search-result" role="status">
          {highlight ? "Selected function in" : "Matched"} {formatCount(matched.count)} frames: {formatBytes(matched.sum)} ({formatPercent(matched.sum, matched.total)} of{" "}
          {formatBytes(matched.total)}, {width} bytes)
        </p>
      )}
      <div className="flame diff-flame" ref={host} data-testid="diff-flame" data-width={width} {...keyboard.hostProps} />
      <div className="flame-tip" ref={tip} hidden role="tooltip" />
      {keyboard.announcer}
    </div>
  );
}
