/** memray stats: allocator distribution, size histogram and top locations. */
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import { use as registerChartParts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { Fragment } from "react";
import type { OkRunEntry } from "../content/schema.ts";
import { formatBytes, formatCount, formatPercent } from "../shared/format.ts";
import { breakLocation } from "../site/flame.ts";
import { useEChart } from "./useEChart.ts";

registerChartParts([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Stats = NonNullable<OkRunEntry["stats"]>;

export default function StatsPanel({ stats }: { stats: Stats }) {
  const { el: chartEl } = useEChart(
    (chart) => {
      const bins = stats.allocationSizeHistogram;
      chart.setOption({
        backgroundColor: "transparent",
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: (v: unknown) => `${formatCount(Number(v))} allocations` },
        grid: { left: 60, right: 16, top: 24, bottom: 64 },
        xAxis: { type: "category", data: bins.map((b) => `${formatBytes(b.minBytes)}–${formatBytes(b.maxBytes)}`), axisLabel: { rotate: 30 } },
        // Counts span orders of magnitude (one bucket holds most small allocations): a log
        // scale keeps every non-empty bucket visible, and each bar carries its count.
        yAxis: { type: "log", name: "allocations (log)", min: 1, logBase: 10, axisLabel: { formatter: (v: number) => formatCount(v) } },
        series: [
          {
            type: "bar",
            // log(0) is undefined: an empty bucket is drawn as no bar.
            data: bins.map((b) => (b.count > 0 ? b.count : null)),
            itemStyle: { color: "#d9713a" },
            label: { show: true, position: "top", fontSize: 10, formatter: (p: { value: unknown }) => formatCount(Number(p.value)) },
          },
        ],
      });
    },
    [stats],
  );
  const totalCount = stats.allocatorTypeDistribution.reduce((s, a) => s + a.count, 0);
  return (
    <div className="stats">
      <section>
        <h3>Allocation sizes</h3>
        <div className="chart small" ref={chartEl} role="img" aria-label="Histogram of allocation sizes (log scale)" />
      </section>
      <section>
        <h3>Allocators</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">Allocator</th>
              <th scope="col">Allocations</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {stats.allocatorTypeDistribution.map((a) => (
              <tr key={a.allocator}>
                <td>{a.allocator}</td>
                <td className="num">{formatCount(a.count)}</td>
                <td className="num">{formatPercent(a.count, totalCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <TopTable title="Top locations by size" rows={stats.topAllocationsBySize.map((t) => [t.location, formatBytes(t.sizeBytes)])} />
      <TopTable title="Top locations by count" rows={stats.topAllocationsByCount.map((t) => [t.location, formatCount(t.count)])} />
      {stats.topModulesBySize && <TopTable title="Top modules by size" rows={stats.topModulesBySize.map((t) => [t.module, formatBytes(t.sizeBytes)])} />}
    </div>
  );
}

/**
 * A ranked list of locations (or modules) and one figure each. A location breaks only after a
 * path separator or before its `:line` (breakLocation), never inside a number or a name.
 */
function TopTable({ title, rows }: { title: string; rows: Array<[string, string]> }) {
  return (
    <section>
      <h3>{title}</h3>
      <table aria-label={title}>
        <tbody>
          {rows.map(([where, figure], k) => (
            <tr key={k}>
              <td className="loc" title={where}>
                {breakLocation(where).map((part, j) => (
                  <Fragment key={j}>
                    {j > 0 && <wbr />}
                    {part}
                  </Fragment>
                ))}
              </td>
              <td className="num">{figure}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
