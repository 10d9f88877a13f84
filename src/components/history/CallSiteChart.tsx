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
    (chart) => {
      chart.setOption({
        ...BASE_OPTION,
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
          symbol: "none",
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

