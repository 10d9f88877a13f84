/**
 * A differential flame graph: one d3-flame-graph of a diff tree, width = head (or base) bytes,
 * colour = change. Capture strings reach the DOM through textContent only (our own tooltip,
 * d3's .text()), as in FlameGraph.tsx.
 */
import flamegraph, { type FlameGraph as Chart, type HierarchyNode } from "d3-flame-graph";
import { select } from "d3-selection";
import { useEffect, useMemo, useRef } from "react";
import { DiffFlag, type DiffTree } from "../analysis/diff.ts";
import { buildDiffData, deltaPercent, diffColour, maxAbsDelta, type DiffDatum, type DiffFilter, type DiffWidth } from "../site/diff.ts";
import { formatBytes, formatCount } from "../shared/format.ts";
import { useElementWidth } from "./useElementWidth.ts";

interface Props {
  diff: DiffTree;
  width: DiffWidth;
  filter: DiffFilter;
  layout: "icicle" | "flame";
  /** Accessible name of the graph. */
  label: string;
}

type Node = HierarchyNode<DiffDatum>;

function el(tag: string, className: string, text: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  e.textContent = text;
  return e;
}

function signed(n: number): string {
  return n > 0 ? `+${formatBytes(n)}` : formatBytes(n);
}

export default function DiffFlameGraph({ diff, width, filter, layout, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const widthPx = useElementWidth(host);
  const tip = useRef<HTMLDivElement>(null);
  const data = useMemo(() => buildDiffData(diff, width, filter), [diff, width, filter]);
  const scale = useMemo(() => maxAbsDelta(diff), [diff]);


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
        tipNode.append(el("div", "tip-fn", flags & DiffFlag.OTHER ? "smaller frames (merged narrow frames)" : i === 0 ? "root" : diff.function[i]!));
        if (i !== 0 && !(flags & DiffFlag.OTHER)) tipNode.append(el("div", "tip-file", `${diff.filename[i]}:${diff.lineno[i]}`));
        tipNode.append(el("div", "tip-num", `base ${formatBytes(b)} → head ${formatBytes(h)}`));
        tipNode.append(el("div", "tip-delta", `change ${signed(h - b)} (${deltaPercent(b, h)})`));
        tipNode.append(el("div", "tip-count", `allocations ${formatCount(diff.baseCount[i]!)} → ${formatCount(diff.headCount[i]!)}`));
        if (flags & DiffFlag.NEW) tipNode.append(el("div", "tip-note", "New: only in head."));
        else if (flags & DiffFlag.VANISHED) tipNode.append(el("div", "tip-note", "Gone: only in base."));
        if (flags & DiffFlag.MAYBE_PRUNED) tipNode.append(el("div", "tip-note", "The other run merged narrow frames here: this frame may be inside its smaller frames, with at most their bytes."));
        const box = node.getBoundingClientRect();
        tipNode.style.left = `${Math.min(event.clientX - box.left + 12, box.width - 320)}px`;
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
      .setColorMapper((d) => diffColour(diff, d.data.idx, scale))
      .setDetailsHandler(() => {});
    node.replaceChildren();
    select(node).datum(data).call(chart as never);
    const svg = node.querySelector("svg");
    svg?.setAttribute("aria-label", label);
    svg?.setAttribute("role", "img");
    chart.transitionDuration(250);
    // For bench/compare.ts: when the diff reached the DOM.
    performance.mark("heaptrail:diff-drawn");
    return () => {
      chart.destroy();
    };
  }, [data, layout, widthPx, diff, scale, label]);

  return (
    <div className="flame-wrap">
      <div className="flame diff-flame" ref={host} data-testid="diff-flame" data-width={width} />
      <div className="flame-tip" ref={tip} hidden role="tooltip" />
    </div>
  );
}
