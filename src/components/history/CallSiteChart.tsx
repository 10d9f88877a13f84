/** The call sites at the peak of one branch's runs, stacked, with the rest of the peak as "other". */
import { useMemo } from "react";
import type { BenchmarkFile } from "../../content/benchmark-file.ts";
import { urls } from "../../content/urls.ts";
import { formatBytes } from "../../shared/format.ts";
import { callSiteSeries, formatDate } from "../../site/history.ts";
import { useEChart } from "../useEChart.ts";
import { BASE_OPTION, el, loadECharts, runName } from "./chart-base.ts";

export default function CallSiteChart({ file, branch, base, name }: { file: BenchmarkFile; branch: number; base: string; name: string }) {
  const cs = useMemo(() => callSiteSeries(file, branch), [file, branch]);
  const { el: ref } = useEChart(
    (chart, node) => {
      // Every series in the legend, on as many lines as it needs (a paged legend showed one
      // series a page on a phone); the chart grows by those lines. Estimated from label lengths.
      const widthPx = node.clientWidth || 600;
      const labelPx = Math.min(widthPx - 40, 300);
      let lines = 1;
      let used = 0;
      for (const s of cs.series) {
        const w = Math.min(labelPx, s.label.length * 6.5) + 35;
        if (used + w > widthPx && used > 0) {
          lines++;
          used = 0;
        }
        used += w;
      }
      node.style.height = `${296 + lines * 24}px`;
      chart.resize();
      chart.setOption({
        ...BASE_OPTION,
        legend: { top: 0, type: "plain", textStyle: { width: labelPx, overflow: "truncate" } },
        grid: { ...BASE_OPTION.grid, top: 12 + lines * 24 },
        tooltip: {
          trigger: "axis",
          formatter: (ps: Array<{ dataIndex: number; seriesName: string; value: number }>) => {
            const first = ps[0];
            if (!first) return "";
            const r = file.runs[cs.runs[first.dataIndex]!]!;
            const box = el("div", undefined, "chart-tip");
            box.append(el("strong", `${runName(r)} · ${formatDate(r.timeMs)} UTC`));
            if (r.message) box.append(el("div", r.message, "tip-msg"));
            for (const p of [...ps].reverse()) if (p.value > 0) box.append(el("div", `${p.seriesName}: ${formatBytes(p.value)}`));
            return box;
          },
        },
        xAxis: { type: "category", data: cs.runs.map((i) => runName(file.runs[i]!)) },
        yAxis: { type: "value", axisLabel: { formatter: (v: number) => formatBytes(v) } },
        series: cs.series.map((s) => ({
          name: s.label,
          type: "line",
          stack: "peak",
          areaStyle: { opacity: 0.75 },
          // One run has no area to draw: a point says it is there.
          symbol: cs.runs.length === 1 ? "circle" : "none",
          symbolSize: 8,
          lineStyle: { width: 0.5 },
          emphasis: { focus: "series" },
          ...(s.site === null ? { color: "#9aa0a6" } : {}),
          data: s.values,
        })),
      });
      chart.getZr().on("click", (e) => {
        const [index] = chart.convertFromPixel({ seriesIndex: 0 }, [e.offsetX, e.offsetY]) as number[];
        const i = cs.runs[Math.round(index ?? -1)];
        if (i !== undefined) window.location.href = `${base}${urls.run(file.runs[i]!.id)}`;
      });
    },
    [cs],
    loadECharts,
  );
  const sites = cs.series.length - 1;
  return (
    <>
      {file.callSites.length === 0 && <p className="note">These runs carry no call sites yet: the chart shows each peak as "other".</p>}
      <div
        className="chart"
        ref={ref}
        role="img"
        aria-label={`Call sites at the peak of ${name} on ${file.branches[branch]}, stacked across ${cs.runs.length} runs: ${sites} top call site${sites === 1 ? "" : "s"} and other.`}
      />
    </>
  );
}

