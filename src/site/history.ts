/**
 * The benchmark page's series, drawn in the browser from the benchmark data file
 * (src/content/benchmark-file.ts): each run's change is measured against the base the history
 * model chose (src/content/history.ts), never a base of its own. Plus the small display helpers
 * the history pages share. Pure: no I/O, no Astro, no DOM.
 */
import { formatBytes, formatChange, runLabel as formatRunLabel } from "../shared/format.ts";
import { change, isRegression, type RegressionRule } from "../shared/regression.ts";
import type { BenchmarkFile } from "../content/benchmark-file.ts";
import { modeOf } from "../content/history.ts";
import type { CallSite, RunEntry } from "../content/schema.ts";

export function shortSha(commit: string | null): string | null {
  return commit ? commit.slice(0, 7) : null;
}

/** The short commit (plus the mode when it is not the default), else the file name. */
export function runLabel(run: RunEntry): string {
  return formatRunLabel(run.commit, modeOf(run), run.fileName.replace(/\.bin$/i, ""));
}

/** An SVG polyline's points for a sparkline of `values` in a width × height box (y down). */
export function sparklinePoints(values: readonly number[], width: number, height: number, pad = 2): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  const n = values.length;
  const round = (x: number) => Math.round(x * 10) / 10;
  return values
    .map((v, i) => {
      const x = n === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1);
      const y = span === 0 ? height / 2 : height - pad - ((v - min) * (height - 2 * pad)) / span;
      return `${round(x)},${round(y)}`;
    })
    .join(" ");
}

// ---- Browser-side series from the data file ----------------------------------------------------

export const METRICS = {
  peakMemoryBytes: { label: "Peak memory", bytes: true },
  leakedBytes: { label: "Leaked", bytes: true },
  totalBytesAllocated: { label: "Total allocated", bytes: true },
  nAllocations: { label: "Allocations", bytes: false },
} as const;
export type Metric = keyof typeof METRICS;

export interface SeriesPoint {
  /** Index into the file's runs. */
  run: number;
  timeMs: number;
  value: number;
  /** Against the run's base (the history model's); null without one or when it lacks the metric. */
  deltaBytes: number | null;
  deltaPct: number | null;
  /** This metric grew past the regression rule against the base (bytes metrics only). */
  regression: boolean;
  /** Settings differ from the base: a break in the trend, never a regression. */
  broken: boolean;
  /** The peak drifted over its baseline window (peak memory only: the drift rule is about it). */
  drift: boolean;
}

/** One branch's points for a metric, in time order (runs without a value are left out). */
export function branchSeries(file: BenchmarkFile, branch: number, metric: Metric, rule?: RegressionRule): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  file.runs.forEach((r, i) => {
    const v = r[metric];
    if (r.branch !== branch || v === undefined) return;
    const baseValue = r.base === undefined ? undefined : file.runs[r.base]?.[metric];
    const broken = (r.settingsChanged?.length ?? 0) > 0;
    const point: SeriesPoint = { run: i, timeMs: r.timeMs, value: v, deltaBytes: null, deltaPct: null, regression: false, broken, drift: metric === "peakMemoryBytes" && r.drift !== undefined };
    if (baseValue !== undefined) {
      const c = change(baseValue, v);
      point.deltaBytes = c.deltaBytes;
      point.deltaPct = c.deltaPct;
      point.regression = !broken && METRICS[metric].bytes && isRegression(baseValue, v, rule);
    }
    out.push(point);
  });
  return out;
}

export interface CallSiteSeries {
  /** Indexes into the file's runs (ok runs of the branch, time order): the x axis. */
  runs: number[];
  /** Top call sites by their largest bytes on the branch, then "other" (the rest of the peak). */
  series: Array<{ label: string; site: number | null; values: number[] }>;
}

export function callSiteLabel(site: Pick<CallSite, "function" | "filename" | "lineno">): string {
  return `${site.function} (${site.filename}:${site.lineno})`;
}

/**
 * The call-site trend of one branch: the `top` call sites that were largest at some run's peak,
 * stacked, and "other": the rest of each run's peak (so a stack's height is the peak).
 */
export function callSiteSeries(file: BenchmarkFile, branch: number, top = 8): CallSiteSeries {
  const runs: number[] = [];
  file.runs.forEach((r, i) => {
    if (r.branch === branch && r.peakMemoryBytes !== undefined) runs.push(i);
  });
  const largest = new Map<number, number>();
  for (const i of runs) for (const [site, bytes] of file.runs[i]!.callSites ?? []) largest.set(site, Math.max(largest.get(site) ?? 0, bytes));
  const chosen = [...largest].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, top).map(([site]) => site);
  const series: CallSiteSeries["series"] = chosen.map((site) => ({
    label: callSiteLabel(file.callSites[site]!),
    site,
    values: runs.map((i) => (file.runs[i]!.callSites ?? []).find(([s]) => s === site)?.[1] ?? 0),
  }));
  const other = runs.map((i, k) => Math.max(0, file.runs[i]!.peakMemoryBytes! - series.reduce((sum, s) => sum + s.values[k]!, 0)));
  series.push({ label: "other", site: null, values: other });
  return { runs, series };
}

// ---- Display ---------------------------------------------------------------------------------

export { formatChange };

/** "2026-11-17 09:30" (UTC): dates in tables. */
export function formatDate(timeMs: number): string {
  // 0 is "never known" (a failed run without metadata); a hostile header may hold a time
  // outside Date's range, where toISOString throws.
  const d = new Date(timeMs);
  if (!(timeMs > 0) || !Number.isFinite(d.getTime())) return "unknown";
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/** The tooltip of a drift flag: what the baseline is. */
export function driftTitle(drift: { baseline: { entry: RunEntry }; windowRuns: number }): string {
  return `Peak above the lowest of the last ${drift.windowRuns} comparable runs on the default branch (${runLabel(drift.baseline.entry)}): slow growth, no single step over the regression rule`;
}

/**
 * What a regression flag says: ", regression" when the peak grew past the rule; when only the
 * leaked bytes did, which figure and by how much (the flag sits next to the peak's change).
 */
export function regressionNote(change: { regressed: ReadonlyArray<"peak" | "leaked">; leaked: { deltaBytes: number | null; deltaPct: number | null } }): string {
  if (change.regressed.includes("peak") || change.regressed.length === 0) return change.regressed.length === 0 ? "" : ", regression";
  return `, regression: leaked ${formatChange(change.leaked.deltaBytes ?? 0, change.leaked.deltaPct, formatBytes)}`;
}
