/**
 * Temporal view: RSS and heap over time with a two-handle range slider; the flame graph below
 * shows the high-water mark (or the leaks) inside the selected range, computed in the browser.
 */
import { LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, MarkAreaComponent, TooltipComponent } from "echarts/components";
import { use as registerChartParts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useMemo } from "react";
import type { OkRunEntry, SourceFile } from "../content/schema.ts";
import { loadMemory, loadTemporal } from "../site/data.ts";
import type { FlameFilter } from "../site/flame.ts";
import { formatBytes, formatDuration } from "../shared/format.ts";
import { valuesForRange } from "../site/temporal.ts";
import type { ViewState } from "../site/url.ts";
import FlameView from "./FlameView.tsx";
import { LoadStatus, useDataFile } from "./useDataFile.tsx";
import { useEChart } from "./useEChart.ts";

registerChartParts([LineChart, GridComponent, TooltipComponent, DataZoomComponent, MarkAreaComponent, LegendComponent, CanvasRenderer]);

interface Props {
  entry: OkRunEntry;
  base: string;
  state: ViewState;
  update: (patch: Partial<ViewState>) => void;
  filter: FlameFilter;
  source: SourceFile | null;
}

export default function TemporalView({ entry, base, state, update, filter, source }: Props) {
  const ref = state.temporalMode === "leaks" ? entry.data.temporalLeaks : entry.data.temporalHighWaterMark;
  const memoryFile = useDataFile(loadMemory, base, entry.data.memory);
  const temporalFile = useDataFile(loadTemporal, base, ref);
  const memory = memoryFile.data;
  const temporal = temporalFile.data;

  const origin = memory?.timeMs[0] ?? 0;
  const endMs = memory ? memory.timeMs[memory.timeMs.length - 1]! - origin : 0;
  const [r0, r1] = state.rangeMs ?? [0, endMs];

  // Keyboard-friendly twin of the slider's handles.
  const setRange = (a: number, b: number) => {
    if (!Number.isFinite(a) || !Number.isFinite(b)) return;
    const lo = Math.max(0, Math.min(a, b));
    const hi = Math.min(endMs, Math.max(a, b));
    update({ rangeMs: [lo, hi], zoom: null });
  };

  const result = useMemo(() => {
    if (!memory || !temporal) return null;
    return valuesForRange(temporal, memory.timeMs, origin + r0, origin + r1);
  }, [memory, temporal, r0, r1, origin]);

  // The chart: created once per data set; the range flows back through the URL state.
  const { el: chartEl, chart: chartRef } = useEChart(
    (chart, node) => {
      if (!memory) return;
      const xs = memory.timeMs.map((t) => t - origin);
      const narrow = node.clientWidth < 600;
      chart.setOption({
        backgroundColor: "transparent",
        animation: false,
        legend: { data: ["RSS", "Heap"], top: 0 },
        tooltip: {
          trigger: "axis",
          // The header is the time since the capture started, with its unit (not a bare "735.00").
          formatter: (ps: Array<{ value: [number, number]; seriesName: string; marker: string }>) => {
            const first = ps[0];
            if (!first) return "";
            const box = document.createElement("div");
            const head = document.createElement("strong");
            head.textContent = `${formatDuration(first.value[0])} after start`;
            box.append(head);
            for (const p of ps) {
              const row = document.createElement("div");
              row.textContent = `${p.seriesName}: ${formatBytes(p.value[1])}`;
              box.append(row);
            }
            return box;
          },
        },
        grid: { left: narrow ? 64 : 80, right: narrow ? 12 : 24, top: 36, bottom: 70 },
        // No axis name: the labels carry their unit ("300 ms", "1.50 s"); fewer of them on a phone.
        xAxis: {
          type: "value",
          min: 0,
          max: Math.max(1, xs[xs.length - 1] ?? 1),
          splitNumber: narrow ? 3 : 6,
          axisLabel: { formatter: (v: number) => formatDuration(v), hideOverlap: true },
        },
        // The y-axis follows the range: the slider filters the samples outside it.
        yAxis: { type: "value", scale: false, axisLabel: { formatter: (v: number) => formatBytes(v) } },
        dataZoom: [
          { type: "slider", xAxisIndex: 0, filterMode: "filter", startValue: r0, endValue: r1, labelFormatter: (v: number) => formatDuration(v) },
        ],
        series: [
          { name: "RSS", type: "line", showSymbol: false, data: xs.map((x, i) => [x, memory.rssBytes[i]]) },
          { name: "Heap", type: "line", showSymbol: false, areaStyle: { opacity: 0.15 }, data: xs.map((x, i) => [x, memory.heapBytes[i]]) },
        ],
      });
      let timer = 0;
      chart.on("datazoom", () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(() => {
          const dz = (chart.getOption() as { dataZoom: Array<{ startValue: number; endValue: number }> }).dataZoom[0]!;
          update({ rangeMs: [dz.startValue, dz.endValue], zoom: null });
        }, 150);
      });
      return () => window.clearTimeout(timer);
    },
    // The range is pushed separately below, so the chart is not rebuilt on every drag.
    [memory, origin],
  );

  // Keep the slider in step with the state (URL restore) and mark the peak slice.
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart || !memory || !result) return;
    const xs = memory.timeMs.map((t) => t - origin);
    const h = result.snapshot;
    const band: [number, number] | null =
      h < 0 ? null : h === 0 ? [(xs[0] ?? 0) - 10, xs[0] ?? 0] : h >= xs.length ? [xs[xs.length - 1]!, xs[xs.length - 1]! + 10] : [xs[h - 1]!, xs[h]!];
    chart.setOption({
      dataZoom: [{ startValue: r0, endValue: r1 }],
      series: [
        {},
        {
          markArea: band
            ? { silent: true, itemStyle: { color: "rgba(220, 60, 60, 0.25)" }, label: { show: true, formatter: "peak" }, data: [[{ xAxis: band[0] }, { xAxis: band[1] }]] }
            : { data: [] },
        },
      ],
    });
  }, [result, r0, r1, memory, origin]);

  const flameFilter: FlameFilter = useMemo(
    () => ({ ...filter, thread: "", valueBytes: result?.valueBytes, nAllocations: result?.nAllocations }),
    [filter, result],
  );

  return (
    <div className="temporal">
      <div className="toolbar" role="group" aria-label="Temporal options">
        <label>
          Snapshot{" "}
          <select value={state.temporalMode} onChange={(e) => update({ temporalMode: e.target.value as ViewState["temporalMode"], zoom: null })}>
            <option value="hwm">High-water mark in range</option>
            {entry.data.temporalLeaks && <option value="leaks">Leaks: allocated in range, never freed</option>}
          </select>
        </label>
        <label>
          From (ms){" "}
          <input type="number" min={0} max={endMs} step={10} value={Math.round(r0)} onChange={(e) => setRange(Number(e.target.value), r1)} />
        </label>
        <label>
          To (ms){" "}
          <input type="number" min={0} max={endMs} step={10} value={Math.round(r1)} onChange={(e) => setRange(r0, Number(e.target.value))} />
        </label>
        <span className="range-text" role="status">
          Range {formatDuration(r0)} – {formatDuration(r1)}
          {result && result.snapshot >= 0 && memory ? `; peak at snapshot ${result.snapshot}` : ""}
          {result ? `; ${formatBytes(result.valueBytes[0] ?? 0)} shown` : ""}
        </span>
        <button type="button" onClick={() => update({ rangeMs: null, zoom: null })} disabled={state.rangeMs === null}>
          Whole run
        </button>
      </div>
      <div className="chart" ref={chartEl} role="img" aria-label="Resident set size and heap over time, with a range slider" />
      {temporal && result ? (
        <FlameView
          tree={temporal.tree}
          filter={flameFilter}
          layout={state.layout}
          search={state.search}
          zoom={state.zoom}
          onZoom={(zoom) => update({ zoom })}
          source={source}
          label="Temporal flame graph"
        />
      ) : memoryFile.error ? (
        <LoadStatus what="memory samples" error={memoryFile.error} retry={memoryFile.retry} />
      ) : (
        <LoadStatus what="temporal data" error={temporalFile.error} retry={temporalFile.retry} />
      )}
    </div>
  );
}
