/**
 * A benchmark's history, drawn from its data file (fetched once): the trend across commits with
 * a metric switch and other branches overlaid, regression markers and comparability breaks; the
 * call-site trend; the paginated runs table. Every untrusted string is set as text (tooltips are
 * DOM nodes built with textContent, never HTML strings).
 */
import { useEffect, useMemo, useState } from "react";
import { urls } from "../content/urls.ts";
import { useEChart } from "./useEChart.ts";
import { formatBytes, formatCount } from "../shared/format.ts";
import {
  branchSeries,
  callSiteSeries,
  formatChange,
  formatDate,
  METRICS,
  type BenchmarkFile,
  type BenchmarkFileRun,
  type Metric,
  type SeriesPoint,
} from "../site/history.ts";

/** The trend charts' echarts parts, a chunk of their own loaded when a chart first draws. */
let echartsParts: Promise<unknown> | null = null;
const loadECharts = () => (echartsParts ??= import("../site/echarts-history.ts"));

const PAGE_SIZE = 20;
const short = (commit: string | undefined) => (commit ? commit.slice(0, 7) : null);
const runName = (r: BenchmarkFileRun) => short(r.commit) ?? r.id;

function el(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

interface Marker {
  x: number;
  y: number;
  run: BenchmarkFileRun;
  point: SeriesPoint;
}

function TrendPlot({ file, metric, branches, base, name }: { file: BenchmarkFile; metric: Metric; branches: number[]; base: string; name: string }) {
  const bytes = METRICS[metric].bytes;
  const fmt = bytes ? formatBytes : formatCount;
  const series = useMemo(() => branches.map((b) => ({ branch: b, points: branchSeries(file, b, metric) })), [file, metric, branches]);
  const [markers, setMarkers] = useState<Marker[]>([]);
  const { el: ref } = useEChart(
    (chart, node) => {
      chart.setOption({
        backgroundColor: "transparent",
        animation: false,
        legend: { top: 0, type: "scroll" },
        grid: { left: 70, right: 24, top: 36, bottom: 36 },
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
  const label = `${METRICS[metric].label} of ${name} across commits: ${main ? `${main.points.length} runs on ${file.branches[main.branch]}` : "no runs"}${series.length > 1 ? `, ${series.length - 1} other branch${series.length > 2 ? "es" : ""} overlaid` : ""}; ${nRegressions} regression${nRegressions === 1 ? "" : "s"}, ${nBreaks} settings change${nBreaks === 1 ? "" : "s"}.`;
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

function CallSitePlot({ file, branch, base, name }: { file: BenchmarkFile; branch: number; base: string; name: string }) {
  const cs = useMemo(() => callSiteSeries(file, branch), [file, branch]);
  const { el: ref } = useEChart(
    (chart) => {
      chart.setOption({
        backgroundColor: "transparent",
        animation: false,
        legend: { top: 0, type: "scroll" },
        grid: { left: 70, right: 24, top: 36, bottom: 36 },
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

function RunsTable({ file, base }: { file: BenchmarkFile; base: string }) {
  const [branch, setBranch] = useState(-1);
  const [page, setPage] = useState(0);
  // Peak change of each run against the previous run of its branch.
  const steps = useMemo(() => {
    const m = new Map<number, SeriesPoint>();
    file.branches.forEach((_, b) => {
      for (const p of branchSeries(file, b, "peakMemoryBytes")) m.set(p.run, p);
    });
    return m;
  }, [file]);
  const rows = useMemo(() => {
    const out: number[] = [];
    for (let i = file.runs.length - 1; i >= 0; i--) if (branch < 0 || file.runs[i]!.branch === branch) out.push(i);
    return out;
  }, [file, branch]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  return (
    <>
      <div className="toolbar">
        <label>
          Branch{" "}
          <select
            value={branch}
            onChange={(e) => {
              setBranch(Number(e.target.value));
              setPage(0);
            }}
          >
            <option value={-1}>All branches</option>
            {file.branches.map((b, i) => (
              <option key={i} value={i}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <span className="note">{rows.length} runs, newest first</span>
      </div>
      <div className="table-scroll">
        <table className="runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Branch</th>
              <th scope="col">Date</th>
              <th scope="col">Message</th>
              <th scope="col" className="num">Peak</th>
              <th scope="col" className="num">Change</th>
              <th scope="col" className="num">Leaked</th>
              <th scope="col" className="num">Allocations</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => {
              const r = file.runs[i]!;
              const s = steps.get(i);
              return (
                <tr key={r.id} className={s?.regression ? "regressed" : undefined}>
                  <td>
                    <a href={`${base}${urls.run(r.id)}`}>{runName(r)}</a>
                    {r.commit && (
                      <>
                        {" "}
                        <a className="note" href={`${base}${urls.commit(r.commit)}`} aria-label={`Commit ${short(r.commit)}`}>
                          commit
                        </a>
                      </>
                    )}
                  </td>
                  <td>{file.branches[r.branch]}</td>
                  <td className="nowrap">{formatDate(r.timeMs)}</td>
                  <td className="msg">{r.message ?? ""}</td>
                  {r.failed ? (
                    <td colSpan={4} className="failed">
                      failed
                    </td>
                  ) : (
                    <>
                      <td className="num">{r.peakMemoryBytes === undefined ? "n/a" : formatBytes(r.peakMemoryBytes)}</td>
                      <td className="num">
                        {s && s.deltaBytes !== null ? formatChange(s.deltaBytes, s.deltaPct, formatBytes) : ""}
                        {s?.regression && <span className="flag bad">regression</span>}
                        {r.settingsChanged && <span className="flag" title={r.settingsChanged.join(", ")}>settings changed</span>}
                        {r.incomplete && <span className="flag warn">incomplete</span>}
                        {r.pruned && <span className="flag">pruned</span>}
                      </td>
                      <td className="num">{r.leakedBytes === undefined ? "n/a" : formatBytes(r.leakedBytes)}</td>
                      <td className="num">{r.nAllocations === undefined ? "n/a" : formatCount(r.nAllocations)}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav className="pager" aria-label="Runs pages">
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Newer
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Older
          </button>
        </nav>
      )}
    </>
  );
}

export default function BenchmarkHistory({ name, dataUrl, base }: { name: string; dataUrl: string; base: string }) {
  const [file, setFile] = useState<BenchmarkFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metric, setMetric] = useState<Metric>("peakMemoryBytes");
  const [overlay, setOverlay] = useState<number[]>([]);
  useEffect(() => {
    fetch(dataUrl)
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return (await r.json()) as BenchmarkFile;
      })
      .then(setFile, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [dataUrl]);
  const main = file ? file.branches.indexOf(file.defaultBranch) : -1;
  const branches = useMemo(() => (main < 0 ? overlay : [main, ...overlay]), [main, overlay]);
  if (error) return <p className="error" role="alert">Could not load the history of {name}: {error}</p>;
  if (!file) return <p className="loading">Loading the history…</p>;
  return (
    <>
      <section aria-labelledby="trend-heading">
        <h2 id="trend-heading">Trend</h2>
        <div className="toolbar">
          <fieldset className="choices">
            <legend>Metric</legend>
            {(Object.keys(METRICS) as Metric[]).map((m) => (
              <label key={m}>
                <input type="radio" name="metric" value={m} checked={metric === m} onChange={() => setMetric(m)} /> {METRICS[m].label}
              </label>
            ))}
          </fieldset>
          {file.branches.length > 1 && (
            <fieldset className="choices branches">
              <legend>Overlay branches</legend>
              {file.branches.map((b, i) =>
                i === main ? null : (
                  <label key={i}>
                    <input
                      type="checkbox"
                      checked={overlay.includes(i)}
                      onChange={(e) => setOverlay(e.target.checked ? [...overlay, i] : overlay.filter((x) => x !== i))}
                    />{" "}
                    {b}
                  </label>
                ),
              )}
            </fieldset>
          )}
        </div>
        <TrendPlot file={file} metric={metric} branches={branches} base={base} name={name} />
        <p className="note">Click a point to open its run. ▲ marks a regression (peak up more than 10% and 1 MiB on the run before on its branch); a dotted line marks changed capture settings, where the trend breaks.</p>
      </section>
      <section aria-labelledby="callsites-heading">
        <h2 id="callsites-heading">Call sites at the peak</h2>
        {main >= 0 && <CallSitePlot file={file} branch={main} base={base} name={name} />}
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <RunsTable file={file} base={base} />
      </section>
    </>
  );
}
