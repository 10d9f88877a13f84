/**
 * A d3-flame-graph view of one tree. Every capture string reaches the DOM through textContent
 * (d3's .text() and our own tooltip): d3-flame-graph's stock tooltip uses innerHTML, so it is
 * replaced, and search matching is ours (the stock one builds a RegExp from the input).
 */
import flamegraph, { type FlameGraph as Chart, type HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag, type SourceFile } from "../content/shapes.ts";
import { sourceLine } from "../site/data.ts";
import { buildFlameData, frameColour, matches, type FlameDatum, type FlameFilter } from "../site/flame.ts";
import { formatBytes, formatCount, formatPercent } from "../site/format.ts";

interface Props {
  tree: TreeData;
  filter: FlameFilter;
  layout: "icicle" | "flame";
  search: string;
  zoom: number;
  onZoom: (idx: number) => void;
  source: SourceFile | null;
  /** Accessible name of the graph. */
  label: string;
}

type Node = HierarchyNode<FlameDatum>;

function el(tag: string, className: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  e.textContent = text;
  return e;
}

export default function FlameGraph({ tree, filter, layout, search, zoom, onZoom, source, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart<FlameDatum> | null>(null);
  const zoomedRef = useRef<Chart<FlameDatum> | null>(null);
  const [widthPx, setWidthPx] = useState(0);
  const [matched, setMatched] = useState<{ sum: number; total: number; count: number } | null>(null);
  const data = useMemo(() => buildFlameData(tree, filter), [tree, filter]);
  const totalBytes = data.value;
  const onZoomRef = useRef(onZoom);
  onZoomRef.current = onZoom;
  const sourceRef = useRef(source);
  sourceRef.current = source;

  // Layout effect: the width is known before the first paint, so the graph draws in one pass.
  useLayoutEffect(() => {
    const node = host.current;
    if (!node) return;
    setWidthPx(node.clientWidth);
    let timer = 0;
    const ro = new ResizeObserver(() => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setWidthPx(node.clientWidth), 120);
    });
    ro.observe(node);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const node = host.current;
    const tipNode = tip.current;
    if (!node || !tipNode || widthPx === 0) return;
    const tooltip = Object.assign((_: unknown) => {}, {
      show(event: MouseEvent, d: Node) {
        const i = d.data.idx;
        tipNode.replaceChildren();
        const other = tree.flags[i]! & NodeFlag.OTHER;
        tipNode.append(el("div", "tip-fn", other ? `${tree.otherFrames.get(i) ?? 0} frames narrower than ${formatPercent(tree.minFrameFraction, 1)} of the total, merged` : i === 0 ? "root" : tree.function[i]!));
        if (!other && i !== 0) tipNode.append(el("div", "tip-file", `${tree.filename[i]}:${tree.lineno[i]}`));
        const line = sourceLine(sourceRef.current, tree.filename[i]!, tree.lineno[i]!);
        if (line !== null && !other) tipNode.append(el("pre", "tip-src", line.trim()));
        const n = (filter.nAllocations ?? tree.nAllocations)[i]!;
        tipNode.append(el("div", "tip-num", `${formatBytes(d.data.value)} (${formatPercent(d.data.value, totalBytes)} of total), ${formatCount(n)} allocations`));
        if (tree.thread[i] && i !== 0 && tree.thread[i] !== "merged") tipNode.append(el("div", "tip-thread", `thread ${tree.thread[i]}`));
        const box = node.getBoundingClientRect();
        tipNode.style.left = `${Math.min(event.clientX - box.left + 12, box.width - 320)}px`;
        tipNode.style.top = `${event.clientY - box.top + 16}px`;
        tipNode.hidden = false;
      },
      hide() {
        tipNode.hidden = true;
      },
    });
    const chart = flamegraph<FlameDatum>()
      .width(widthPx)
      .cellHeight(18)
      // No animation for the first draw (it delays painting); zooms animate.
      .transitionDuration(0)
      .inverted(layout === "icicle")
      .sort(false)
      // Sub-pixel frames are not drawn (their bytes stay in the parents): DOM size is the cost.
      .minFrameSize(1)
      .tooltip(tooltip)
      .getName((d) => d.data.name)
      .setColorMapper((d) => {
        if (d.highlight) return "hsl(280, 70%, 62%)";
        return frameColour(d.data.value / (totalBytes || 1), (tree.flags[d.data.idx]! & NodeFlag.OTHER) !== 0);
      })
      .setSearchMatch((d, term) => matches(tree, d.data.idx, term))
      .setSearchHandler((results, sum, total) => setMatched({ sum, total, count: results.length }))
      .setDetailsHandler(() => {})
      .onClick((d) => onZoomRef.current(d.data.idx === 0 ? -1 : d.data.idx));
    node.replaceChildren();
    select(node).datum(data).call(chart as never);
    node.querySelector("svg")?.setAttribute("aria-label", label);
    node.querySelector("svg")?.setAttribute("role", "img");
    chart.transitionDuration(250);
    // For bench/page.ts: when the first flame graph reached the DOM.
    performance.mark("heaptrail:flame-drawn");
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [data, layout, widthPx, tree, label, filter.nAllocations, totalBytes]);

  // Zoom from state (URL restore, reset button).
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !host.current) return;
    const root = select(host.current).datum() as Node;
    let target: Node | null = null;
    if (zoom >= 0) {
      const stack: Node[] = [root];
      while (stack.length > 0 && !target) {
        const n = stack.pop()!;
        if (n.data.idx === zoom) target = n;
        else if (n.children) stack.push(...n.children);
      }
    }
    // A fresh chart is unzoomed: resetting it would only replay the draw as an animation.
    if (target) chart.zoomTo(target);
    else if (zoomedRef.current === chart) chart.resetZoom();
    zoomedRef.current = target ? chart : null;
  }, [zoom, data, layout, widthPx]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    if (search) chart.search(search);
    else {
      chart.clear();
      setMatched(null);
    }
  }, [search, data, layout, widthPx]);

  return (
    <div className="flame-wrap">
      {search && matched && (
        <p className="search-result" role="status">
          Matched {formatCount(matched.count)} frames: {formatBytes(matched.sum)} ({formatPercent(matched.sum, matched.total)} of{" "}
          {formatBytes(matched.total)})
        </p>
      )}
      <div className="flame" ref={host} data-testid="flame" />
      <div className="flame-tip" ref={tip} hidden role="tooltip" />
    </div>
  );
}
