/**
 * The trend of one metric across commits: the default branch and the overlaid branches, each
 * point's change against its base (the history model's, from the data file), regression markers,
 * comparability breaks and drift bands.
 */
import { useMemo, useState } from "react";
import type { BenchmarkFile, BenchmarkFileRun } from "../../content/benchmark-file.ts";
import { urls } from "../../content/urls.ts";
import { formatBytes, formatCount, formatSignedPct } from "../../shared/format.ts";
import { branchSeries, formatChange, formatDate, METRICS, type Metric, type SeriesPoint } from "../../site/history.ts";
import { useEChart } from "../useEChart.ts";
import { BASE_OPTION, el, loadECharts, runName } from "./chart-base.ts";

interface Marker {
  x: number;
  y: number;
  run: BenchmarkFileRun;
  point: SeriesPoint;
}

interface DriftBand {
  fromMs: number;
  toMs: number;
  baselineBytes: number;
  topBytes: number;
  /** "+16.0% since b1c9675". */
  label: string;
}

/** One band per stretch of drifting runs on a line: from the baseline run to the last drifting run. */
function driftBands(file: BenchmarkFile, points: readonly SeriesPoint[]): DriftBand[] {
  const out: DriftBand[] = [];
  let open: DriftBand | null = null;
  for (const p of points) {
    const d = file.runs[p.run]!.drift;
    if (!p.drift || !d) {
      open = null;
      continue;
    }
    const baseline = file.runs[d.baseline]!;
    const baselineBytes = baseline.peakMemoryBytes ?? p.value;
    if (open && open.baselineBytes === baselineBytes) {
      open.toMs = p.timeMs;
      open.topBytes = Math.max(open.topBytes, p.value);
      open.label = `${d.deltaPct === null ? "new" : formatSignedPct(d.deltaPct)} since ${runName(baseline)}`;
      continue;
    }
    open = { fromMs: baseline.timeMs, toMs: p.timeMs, baselineBytes, topBytes: p.value, label: `${d.deltaPct === null ? "new" : formatSignedPct(d.deltaPct)} since ${runName(baseline)}` };
    out.push(open);
  }
  return out;
}

export default function TrendChart({ file, metric, branches, base, name }: { file: BenchmarkFile; metric: Metric; branches: number[]; base: string; name: string }) {
  const bytes = METRICS[metric].bytes;
  const fmt = bytes ? formatBytes : formatCount;
  const series = useMemo(() => branches.map((b) => ({ branch: b, points: branchSeries(file, b, metric) })), [file, metric, branches]);
  const [markers, setMarkers] = useState<Marker[]>([]);
  const { el: ref } = useEChart(
    (chart, node) => {
      chart.setOption({
        ...BASE_OPTION,
        tooltip: {
          trigger: "item",
          formatter: (p: { data?: { run?: number; point?: SeriesPoint } }) => {
            const i = p.data?.run;
            const point = p.data?.point;
            if (i === undefined || !point) return [];
            const r = file.runs[i]!;
            const box = el("div", undefined, "chart-tip");
            box.append(el("strong", `${runName(r)} · ${file.branches[r.branch]}`), el("div", `${formatDate(r.timeMs)} UTC`));
            if (r.message) box.append(el("div", r.message, "tip-msg"));
            box.append(el("div", `${METRICS[metric].label}: ${fmt(point.value)}`));
            if (point.deltaBytes !== null) box.append(el("div", `Change: ${formatChange(point.deltaBytes, point.deltaPct, fmt)}`));
            if (point.regression) box.append(el("div", "Regression", "tip-bad"));
            if (point.drift && r.drift) box.append(el("div", `Drift: ${formatChange(r.drift.deltaBytes, r.drift.deltaPct, fmt)} over the baseline (${runName(file.runs[r.drift.baseline]!)})`, "tip-bad"));
            if (r.settingsChanged) box.append(el("div", `Settings changed (${r.settingsChanged.join(", ")}): not comparable`));
            if (r.incomplete) box.append(el("div", "Incomplete capture"));
            return box;
          },
        },
        xAxis: { type: "time", axisLabel: { hideOverlap: true, formatter: { year: "{yyyy}", month: "{MMM}", day: "{MMM} {d}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" } } },
        yAxis: { type: "value", scale: false, axisLabel: { formatter: (v: number) => fmt(v) } },
        series: series.map(({ branch, points }, k) => {
          const data: unknown[] = [];
          for (const p of points) {
            // A break: the line stops before a run whose settings differ from the one before.
            if (p.broken && data.length > 0) data.push({ value: [p.timeMs - 1, "-"] });
            data.push({
              value: [p.timeMs, p.value],
              run: p.run,
              point: p,
              ...(p.regression ? { symbol: "triangle", symbolSize: 13, itemStyle: { color: "#d0312d" } } : {}),
            });
          }
          return {
            name: file.branches[branch],
            type: "line",
            symbolSize: k === 0 ? 8 : 6,
            lineStyle: k === 0 ? { width: 2.5 } : { width: 1.5, type: "dashed" },
            connectNulls: false,
            data,
            markLine: {
              silent: true,
              symbol: "none",
              lineStyle: { type: "dotted", color: "#888" },
              label: { formatter: "settings changed", position: "insideEndTop", color: "#888" },
              data: points.filter((p) => p.broken).map((p) => ({ xAxis: p.timeMs })),
            },
            // Drift: a band from the baseline's level up to where the level moved, from the
            // baseline run to the last drifting run.
            markArea: {
              silent: true,
              itemStyle: { color: "rgba(208, 49, 45, 0.10)" },
              label: { position: "insideTopLeft", color: "#d0312d" },
              data: driftBands(file, points).map((d) => [
                { xAxis: d.fromMs, yAxis: d.baselineBytes, name: `drift ${d.label}` },
                { xAxis: d.toMs, yAxis: d.topBytes },
              ]),
            },
          };
        }),
      });
      const place = () => {
        const out: Marker[] = [];
        series.forEach(({ points }, seriesIndex) => {
          for (const p of points) {
            if (!p.regression) continue;
            const [x, y] = chart.convertToPixel({ seriesIndex }, [p.timeMs, p.value]) as number[];
            out.push({ x: x!, y: y!, run: file.runs[p.run]!, point: p });
          }
        });
        setMarkers(out);
      };
      place();
      chart.on("click", (e) => {
        const i = (e.data as { run?: number } | undefined)?.run;
        if (i !== undefined) window.location.href = `${base}${urls.run(file.runs[i]!.id)}`;
      });
      // The markers follow the chart when it is resized (the hook resizes it first).
      const ro = new ResizeObserver(place);
      ro.observe(node);
      return () => ro.disconnect();
    },
    [series],
    loadECharts,
  );
  const main = series[0];
  const nRegressions = series.reduce((n, s) => n + s.points.filter((p) => p.regression).length, 0);
  const nBreaks = series.reduce((n, s) => n + s.points.filter((p) => p.broken).length, 0);
  const bands = main ? driftBands(file, main.points) : [];
  const drift = bands.length > 0 ? `, drift ${bands.map((b) => b.label).join(", ")} over the baseline` : "";
  const label = `${METRICS[metric].label} of ${name} across commits: ${main ? `${main.points.length} runs on ${file.branches[main.branch]}` : "no runs"}${series.length > 1 ? `, ${series.length - 1} other branch${series.length > 2 ? "es" : ""} overlaid` : ""}; ${nRegressions} regression${nRegressions === 1 ? "" : "s"}, ${nBreaks} settings change${nBreaks === 1 ? "" : "s"}${drift}.`;
  return (
    <div className="chart-wrap">
      <div className="chart" ref={ref} role="img" aria-label={label} />
      {markers.map((m) => (
        <a
          key={`${m.run.id}`}
          className="marker"
          style={{ left: `${m.x}px`, top: `${m.y}px` }}
          href={`${base}${urls.run(m.run.id)}`}
          aria-label={`Regression at ${runName(m.run)} on ${file.branches[m.run.branch]}: ${formatChange(m.point.deltaBytes ?? 0, m.point.deltaPct, fmt)}`}
          title={`Regression: ${formatChange(m.point.deltaBytes ?? 0, m.point.deltaPct, fmt)}`}
        >
          {m.point.deltaPct === null ? "new" : `+${m.point.deltaPct.toFixed(0)}%`}
        </a>
      ))}
    </div>
  );
}

