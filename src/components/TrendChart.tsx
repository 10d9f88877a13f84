/** Trend of one benchmark on one branch: peak, leaked bytes and allocations per run. */
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { use } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { formatBytes, formatCount } from "../site/format.ts";
import { useEChart } from "./useEChart.ts";

use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface TrendPoint {
  label: string;
  href: string;
  peakMemoryBytes: number;
  leakedBytes: number;
  nAllocations: number | null;
}

export default function TrendChart({ title, points }: { title: string; points: TrendPoint[] }) {
  const { el } = useEChart(
    (chart) => {
      chart.setOption({
        backgroundColor: "transparent",
        animation: false,
        legend: { data: ["Peak memory", "Leaked", "Allocations"] },
        tooltip: { trigger: "axis" },
        grid: { left: 80, right: 80, top: 40, bottom: 40 },
        xAxis: { type: "category", data: points.map((p) => p.label) },
        yAxis: [
          { type: "value", axisLabel: { formatter: (v: number) => formatBytes(v) } },
          { type: "value", axisLabel: { formatter: (v: number) => formatCount(v) }, splitLine: { show: false } },
        ],
        series: [
          { name: "Peak memory", type: "line", symbolSize: 9, data: points.map((p) => p.peakMemoryBytes), tooltip: { valueFormatter: (v: unknown) => formatBytes(Number(v)) } },
          { name: "Leaked", type: "line", symbolSize: 7, data: points.map((p) => p.leakedBytes), tooltip: { valueFormatter: (v: unknown) => formatBytes(Number(v)) } },
          { name: "Allocations", type: "line", yAxisIndex: 1, symbolSize: 7, lineStyle: { type: "dashed" }, data: points.map((p) => p.nAllocations) },
        ],
      });
      chart.on("click", (e) => {
        const p = points[e.dataIndex];
        if (p) window.location.href = p.href;
      });
    },
    [points],
  );
  return <div className="chart" ref={el} role="img" aria-label={`${title}: peak memory, leaked bytes and allocation count per run`} />;
}
