/** memray stats: allocator distribution, size histogram and top locations. */
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import type { OkRunEntry } from "../content/schema.ts";
import { formatBytes, formatCount, formatPercent } from "../site/format.ts";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Stats = NonNullable<OkRunEntry["stats"]>;

export default function StatsPanel({ stats }: { stats: Stats }) {
  const chartEl = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = chartEl.current;
    if (!node) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const chart = echarts.init(node, dark ? "dark" : undefined);
    const bins = stats.allocationSizeHistogram;
    chart.setOption({
      backgroundColor: "transparent",
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 70, right: 20, top: 20, bottom: 60 },
      xAxis: { type: "category", data: bins.map((b) => `${formatBytes(b.minBytes)}–${formatBytes(b.maxBytes)}`), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: "allocations" },
      series: [{ type: "bar", data: bins.map((b) => b.count), itemStyle: { color: "#d9713a" } }],
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(node);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [stats]);
  const totalCount = stats.allocatorTypeDistribution.reduce((s, a) => s + a.count, 0);
  return (
    <div className="stats">
      <section>
        <h3>Allocation sizes</h3>
        <div className="chart small" ref={chartEl} role="img" aria-label="Histogram of allocation sizes" />
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
      <section>
        <h3>Top locations by size</h3>
        <table>
          <tbody>
            {stats.topAllocationsBySize.map((t, k) => (
              <tr key={k}>
                <td className="loc">{t.location}</td>
                <td className="num">{formatBytes(t.sizeBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h3>Top locations by count</h3>
        <table>
          <tbody>
            {stats.topAllocationsByCount.map((t, k) => (
              <tr key={k}>
                <td className="loc">{t.location}</td>
                <td className="num">{formatCount(t.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {stats.topModulesBySize && (
        <section>
          <h3>Top modules by size</h3>
          <table>
            <tbody>
              {stats.topModulesBySize.map((t, k) => (
                <tr key={k}>
                  <td className="loc">{t.module}</td>
                  <td className="num">{formatBytes(t.sizeBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
