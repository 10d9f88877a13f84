/**
 * A d3-flame-graph view of one tree. Every capture string reaches the DOM through textContent
 * (d3's .text() and our own tooltip): d3-flame-graph's stock tooltip uses innerHTML, so it is
 * replaced, and search matching is ours (the stock one builds a RegExp from the input).
 *
 * The chart is made once per mount and updated in place when the data, width, layout, zoom or
 * search change (d3 joins the frames by position in the tree, so they move rather than redraw).
 */
import flamegraph, { type FlameGraph as Chart, type HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag, type SourceFile } from "../content/shapes.ts";
import { sourceLine } from "../site/data.ts";
import { buildFlameData, findFramePath, frameColour, frameLabel, frameName, framePath, matches, type FlameDatum, type FlameFilter, type Measure } from "../site/flame.ts";
import { formatBytes, formatCount, formatPercent } from "../shared/format.ts";
import { functionKey } from "../site/functions.ts";
import type { FramePath } from "../site/url.ts";
import { useFlameKeyboard } from "./flameKeyboard.ts";
import { HIGHLIGHT_TERM, useChartSearch } from "./flameSearch.ts";
import { useZoomFromState } from "./flameZoom.ts";
import { useElementWidth } from "./useElementWidth.ts";

interface Props {
  tree: TreeData;
  filter: FlameFilter;
  layout: "icicle" | "flame";
  search: string;
  /** The zoomed frame, or null. */
  zoom: FramePath | null;
  onZoom: (path: FramePath | null) => void;
  source: SourceFile | null;
  /** Accessible name of the graph. */
  label: string;
  /** A function (functionKey) whose frames are highlighted, or null. */
  highlight?: string | null;
}

type Node = HierarchyNode<FlameDatum>;

/** Frame labels: 11.5px system-ui (site.css), 4px margin each side. */
const LABEL_FONT = "11.5px system-ui, sans-serif";
const LABEL_MARGIN_PX = 8;

let measureContext: CanvasRenderingContext2D | null = null;
const measure: Measure = (text) => {
  measureContext ??= document.createElement("canvas").getContext("2d");
  if (!measureContext) return text.length * 6.5;
  measureContext.font = LABEL_FONT;
  return measureContext.measureText(text).width;
};

function el(tag: string, className: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  e.textContent = text;
  return e;
}

export default function FlameGraph({ tree, filter, layout, search, zoom, onZoom, source, label, highlight = null }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const widthPx = useElementWidth(host);
  const tip = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart<FlameDatum> | null>(null);
  const [matched, setMatched] = useState<{ sum: number; total: number; count: number } | null>(null);
  const data = useMemo(() => buildFlameData(tree, filter), [tree, filter]);
  // The chart's callbacks outlive a render: they read the current props from here.
  const live = useRef({ tree, filter, totalBytes: data.value, widthPx, onZoom, source, highlight, layout });
  live.current = { tree, filter, totalBytes: data.value, widthPx, onZoom, source, highlight, layout };


  const keyboard = useFlameKeyboard<FlameDatum>(
    host,
    (d) => `${frameName(live.current.tree, d.data.idx)}: ${formatBytes(d.data.value)}, ${formatPercent(d.data.value, live.current.totalBytes)} of total`,
    () => live.current.layout === "icicle",
  );
  // Each frame's full name, for assistive technology and tests (the drawn label is shortened).
  const { refresh } = keyboard;
  const nameFrames = useCallback(() => {
    const t = live.current.tree;
    host.current?.querySelectorAll<SVGGElement & { __data__?: Node }>("g.frame").forEach((g) => {
      const d = g.__data__;
      if (d) g.setAttribute("data-frame", frameName(t, d.data.idx));
    });
    refresh();
  }, [refresh]);

  // The chart, once.
  const ready = widthPx > 0;
  useEffect(() => {
    const node = host.current;
    const tipNode = tip.current;
    if (!node || !tipNode || !ready) return;
    const tooltip = Object.assign((_: unknown) => {}, {
      show(event: MouseEvent, d: Node) {
        const { tree: t, filter: f, totalBytes, source: src } = live.current;
        const i = d.data.idx;
        tipNode.replaceChildren();
        const other = t.flags[i]! & NodeFlag.OTHER;
        tipNode.append(el("div", "tip-fn", other ? `${t.otherFrames.get(i) ?? 0} frames narrower than ${formatPercent(t.minFrameFraction, 1)} of the total, merged` : frameName(t, i)));
        const native = t.native.get(i);
        if (native !== undefined) tipNode.append(el("div", "tip-file", native));
        if (d.data.collapsed) tipNode.append(el("div", "tip-file", `and ${d.data.collapsed} unresolved native frames below it, collapsed`));
        const line = sourceLine(src, t.filename[i]!, t.lineno[i]!);
        if (line !== null && !other) tipNode.append(el("pre", "tip-src", line.trim()));
        const n = (f.nAllocations ?? t.nAllocations)[i]!;
        tipNode.append(el("div", "tip-num", `${formatBytes(d.data.value)} (${formatPercent(d.data.value, totalBytes)} of total), ${formatCount(n)} allocations`));
        if (t.thread[i] && i !== 0 && t.thread[i] !== "merged") tipNode.append(el("div", "tip-thread", `thread ${t.thread[i]}`));
        const box = node.getBoundingClientRect();
        tipNode.style.left = `${Math.max(0, Math.min(event.clientX - box.left + 12, box.width - 320))}px`;
        tipNode.style.top = `${event.clientY - box.top + 16}px`;
        tipNode.hidden = false;
      },
      hide() {
        tipNode.hidden = true;
      },
    });
    const chart = flamegraph<FlameDatum>()
      .cellHeight(18)
      .sort(false)
      // Sub-pixel frames are not drawn (their bytes stay in the parents): DOM size is the cost.
      .minFrameSize(1)
      .tooltip(tooltip)
      // The drawn label: the function first, the location shortened to the frame's width.
      .getName((d) => frameLabel(live.current.tree, d.data.idx, (d.x1 - d.x0) * live.current.widthPx - LABEL_MARGIN_PX, measure, d.data.collapsed))
      .setColorMapper((d) => {
        if (d.highlight) return "hsl(280, 70%, 62%)";
        const t = live.current.tree;
        return frameColour(d.data.value / (live.current.totalBytes || 1), (t.flags[d.data.idx]! & NodeFlag.OTHER) !== 0);
      })
      .setSearchMatch((d, term) =>
        term === HIGHLIGHT_TERM ? d.data.idx > 0 && functionKey(live.current.tree, d.data.idx) === live.current.highlight : matches(live.current.tree, d.data.idx, term),
      )
      .setSearchHandler((results, sum, total) => setMatched({ sum, total, count: results.length }))
      .setDetailsHandler(() => {})
      // Called for clicks and for zoomTo/resetZoom alike: new frames may have been drawn.
      .onClick((d) => {
        nameFrames();
        const t = live.current.tree;
        live.current.onZoom(d.data.idx === 0 ? null : framePath(t, d.data.idx));
      });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [ready, nameFrames]);

  // Data, width and layout: in place. Nothing animates but zooms.
  const drawn = useRef<{ data: FlameDatum | null; layout: string; widthPx: number }>({ data: null, layout: "", widthPx: 0 });
  useEffect(() => {
    const chart = chartRef.current;
    const node = host.current;
    if (!chart || !node) return;
    const prev = drawn.current;
    chart.width(widthPx).inverted(layout === "icicle").transitionDuration(0);
    if (prev.data === null) {
      select(node).datum(data).call(chart as never);
      // A group, not an image: its frames are focusable buttons (flameKeyboard.ts).
      node.querySelector("svg")?.setAttribute("role", "group");
      // For bench/page.ts: when the first flame graph reached the DOM.
      performance.mark("heaptrail:flame-drawn");
    } else if (prev.data !== data) {
      // A new tree may be deeper or shallower: let the chart measure its height again.
      chart.height(null);
      chart.update(data);
    } else {
      chart.update();
    }
    node.querySelector("svg")?.setAttribute("aria-label", label);
    nameFrames();
    chart.transitionDuration(250);
    drawn.current = { data, layout, widthPx };
  }, [ready, data, layout, widthPx, label, nameFrames]);

  // Zoom from state (URL restore, reset button) and after every redraw.
  useZoomFromState(chartRef, host, zoom, (z) => findFramePath(tree, z, filter.thread), nameFrames, [data, layout, widthPx, ready]);

  useChartSearch(chartRef, search, highlight, () => setMatched(null), [data, layout, widthPx, ready]);

  return (
    <div className="flame-wrap">
      {(search || highlight) && matched && (
        <p className="search-result" role="status">
          {highlight ? "Selected function in" : "Matched"} {formatCount(matched.count)} frames: {formatBytes(matched.sum)} ({formatPercent(matched.sum, matched.total)} of{" "}
          {formatBytes(matched.total)})
        </p>
      )}
      <div className="flame" ref={host} data-testid="flame" {...keyboard.hostProps} />
      <div className="flame-tip" ref={tip} hidden role="tooltip" />
      {keyboard.announcer}
    </div>
  );
}
