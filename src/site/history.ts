/**
 * The history the site shows, computed once per build from the run entries: trends (a benchmark
 * in one capture mode), their branches, each run's neighbours, changes, regressions and
 * comparability breaks; the index rows; the per-benchmark data file the benchmark page fetches;
 * and the browser-side series made from that file. Pure: no I/O, no Astro, no DOM.
 */
import { change, isRegression, type RegressionRule } from "../shared/regression.ts";
import type { CallSite, OkRunEntry, RunEntry } from "../content/schema.ts";

/** The branch key of runs with no known branch (git refuses spaces, so no real branch has it). */
export const NO_BRANCH = "(no branch)";

/** Env variable naming the default branch; else "main", "master", or the branch with most runs. */
export const DEFAULT_BRANCH_ENV = "HEAPTRAIL_DEFAULT_BRANCH";

export function branchOf(run: RunEntry): string {
  return run.branch ?? NO_BRANCH;
}

/** A capture mode whose figures do not compare with default-mode runs, or null. */
export function modeOf(run: RunEntry): string | null {
  if (run.status !== "ok") return null;
  if (run.header.aggregated) return "aggregated";
  if (run.header.nativeTraces) return "native";
  return null;
}

/** The trend a run belongs to: its benchmark, plus its mode when not the default. */
export function trendName(run: RunEntry): string {
  const mode = modeOf(run);
  return mode ? `${run.benchmark} [${mode}]` : run.benchmark;
}

export function shortSha(commit: string | null): string | null {
  return commit ? commit.slice(0, 7) : null;
}

/** The short commit (plus the mode when it is not the default), else the file name. */
export function runLabel(run: RunEntry): string {
  const sha = shortSha(run.commit);
  if (!sha) return run.fileName.replace(/\.bin$/i, "");
  const mode = modeOf(run);
  return mode ? `${sha} (${mode})` : sha;
}

// ---- Comparability -------------------------------------------------------------------------

/** The capture settings that make two runs' figures comparable, with their display names. */
const SETTINGS: Array<[string, (h: OkRunEntry["header"]) => unknown]> = [
  ["header version", (h) => h.version],
  ["native traces", (h) => h.nativeTraces],
  ["trace Python allocators", (h) => h.tracePythonAllocators],
  ["aggregated", (h) => h.aggregated],
  ["Python allocator", (h) => h.pythonAllocator],
  ["Python version", (h) => h.pythonVersion],
];

/** The settings (display names) on which two runs differ; empty when they compare. */
export function settingsChanges(a: OkRunEntry["header"], b: OkRunEntry["header"]): string[] {
  return SETTINGS.filter(([, get]) => get(a) !== get(b)).map(([name]) => name);
}

// ---- Default branch --------------------------------------------------------------------------

/** `configured` if given; else "main", else "master", else the branch with most runs. */
export function chooseDefaultBranch(branches: Iterable<string>, configured?: string | null): string | null {
  if (configured) return configured;
  const counts = new Map<string, number>();
  for (const b of branches) counts.set(b, (counts.get(b) ?? 0) + 1);
  if (counts.has("main")) return "main";
  if (counts.has("master")) return "master";
  let best: string | null = null;
  for (const [b, n] of counts) {
    const bestN = best === null ? -1 : counts.get(best)!;
    if (n > bestN || (n === bestN && best !== null && b < best)) best = b;
  }
  return best;
}

// ---- Changes along a branch --------------------------------------------------------------------

export interface Step {
  /** Index of the previous run with a value on the same branch, or -1. */
  prev: number;
  /** Change against it; null when there is none or the run has no value. */
  deltaBytes: number | null;
  deltaPct: number | null;
  /** Settings differ from the previous run: a break in the trend, never a regression. */
  broken: boolean;
  regression: boolean;
}

/**
 * For one branch's runs in time order: each run's change against the previous run that has a
 * value (failed runs have none), whether its settings break the trend, and whether it regresses.
 * `bytes` false (counts): changes, no regressions (the rule is about bytes).
 */
export function branchSteps<T>(
  runs: readonly T[],
  value: (r: T) => number | null,
  broken: (r: T, prev: T) => boolean,
  options: { rule?: RegressionRule; bytes?: boolean } = {},
): Step[] {
  const out: Step[] = [];
  let prev = -1;
  for (let i = 0; i < runs.length; i++) {
    const v = value(runs[i]!);
    if (v === null) {
      out.push({ prev, deltaBytes: null, deltaPct: null, broken: false, regression: false });
      continue;
    }
    if (prev < 0) {
      out.push({ prev, deltaBytes: null, deltaPct: null, broken: false, regression: false });
    } else {
      const base = value(runs[prev]!)!;
      const isBreak = broken(runs[i]!, runs[prev]!);
      const c = change(base, v);
      out.push({ prev, deltaBytes: c.deltaBytes, deltaPct: c.deltaPct, broken: isBreak, regression: !isBreak && options.bytes !== false && isRegression(base, v, options.rule) });
    }
    prev = i;
  }
  return out;
}

// ---- The history -----------------------------------------------------------------------------

export interface TrendRun {
  entry: RunEntry;
  trend: Trend;
  branch: string;
  /** Neighbours on the same trend and branch (any status), in time order. */
  prev: TrendRun | null;
  next: TrendRun | null;
  /** The previous ok run on the same trend and branch: the base of `change`. */
  prevOk: TrendRun | null;
  /** Settings that differ from prevOk (a break), or empty. */
  settingsChanged: string[];
  /** Peak change against prevOk; null without one. */
  change: { deltaBytes: number; deltaPct: number | null } | null;
  regression: boolean;
}

export interface Trend {
  name: string;
  benchmark: string;
  mode: string | null;
  /** This trend's default branch: the site's, else its branch with most runs. */
  defaultBranch: string;
  /** Branch -> runs in time order; iteration order: default branch first, then most runs. */
  branches: Map<string, TrendRun[]>;
  /** Every run, in time order. */
  runs: TrendRun[];
}

export interface History {
  defaultBranch: string | null;
  /** Sorted by name. */
  trends: Trend[];
  trendByName: Map<string, Trend>;
  byId: Map<string, TrendRun>;
  /** Full commit sha -> its runs (every trend), sorted by trend name then time. */
  byCommit: Map<string, TrendRun[]>;
}

export interface HistoryOptions {
  /** The default branch; default: "main", else "master", else the branch with most runs. */
  defaultBranch?: string | null;
  rule?: RegressionRule;
}

function byTime(a: RunEntry, b: RunEntry): number {
  return a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function buildHistory(entries: readonly RunEntry[], options: HistoryOptions = {}): History {
  const defaultBranch = chooseDefaultBranch(entries.map(branchOf), options.defaultBranch);
  const sorted = [...entries].sort(byTime);
  const trendByName = new Map<string, Trend>();
  const byId = new Map<string, TrendRun>();
  const byCommit = new Map<string, TrendRun[]>();
  for (const entry of sorted) {
    const name = trendName(entry);
    let trend = trendByName.get(name);
    if (!trend) {
      trend = { name, benchmark: entry.benchmark, mode: modeOf(entry), defaultBranch: "", branches: new Map(), runs: [] };
      trendByName.set(name, trend);
    }
    const branch = branchOf(entry);
    const run: TrendRun = { entry, trend, branch, prev: null, next: null, prevOk: null, settingsChanged: [], change: null, regression: false };
    trend.runs.push(run);
    let list = trend.branches.get(branch);
    if (!list) trend.branches.set(branch, (list = []));
    list.push(run);
    byId.set(entry.id, run);
    if (entry.commit) {
      let c = byCommit.get(entry.commit);
      if (!c) byCommit.set(entry.commit, (c = []));
      c.push(run);
    }
  }
  for (const trend of trendByName.values()) {
    for (const list of trend.branches.values()) {
      const steps = branchSteps(
        list,
        (r) => (r.entry.status === "ok" ? r.entry.peakMemoryBytes : null),
        (r, p) => settingsChanges((p.entry as OkRunEntry).header, (r.entry as OkRunEntry).header).length > 0,
        { rule: options.rule },
      );
      list.forEach((run, i) => {
        run.prev = list[i - 1] ?? null;
        run.next = list[i + 1] ?? null;
        const step = steps[i]!;
        run.prevOk = step.prev >= 0 ? list[step.prev]! : null;
        if (run.prevOk && run.entry.status === "ok" && run.prevOk.entry.status === "ok") {
          run.settingsChanged = settingsChanges(run.prevOk.entry.header, run.entry.header);
          run.change = { deltaBytes: step.deltaBytes!, deltaPct: step.deltaPct };
          run.regression = step.regression;
        }
      });
    }
    const counts = [...trend.branches].map(([b, l]) => [b, l.length] as const);
    trend.defaultBranch = defaultBranch !== null && trend.branches.has(defaultBranch) ? defaultBranch : chooseDefaultBranch(trend.runs.map((r) => r.branch))!;
    counts.sort((a, b) => (a[0] === trend.defaultBranch ? -1 : b[0] === trend.defaultBranch ? 1 : b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    trend.branches = new Map(counts.map(([b]) => [b, trend.branches.get(b)!]));
  }
  const trends = [...trendByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const runs of byCommit.values()) runs.sort((a, b) => (a.trend.name < b.trend.name ? -1 : a.trend.name > b.trend.name ? 1 : byTime(a.entry, b.entry)));
  return { defaultBranch, trends, trendByName, byId, byCommit };
}

/** The newest ok run of `runs` (time order) at or before `timeMs`, other than `self`. */
function newestOkBefore(runs: readonly TrendRun[] | undefined, timeMs: number, self: TrendRun): TrendRun | null {
  if (!runs) return null;
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r !== self && r.entry.status === "ok" && r.entry.timeMs <= timeMs) return r;
  }
  return null;
}

/**
 * What a commit page compares a run against. The entries do not know a commit's parent, so:
 * for a pull-request run with `meta.baseBranch`, that branch's newest run before it; else the
 * previous run on its branch; else (a branch's first run) the default branch's newest run before it.
 */
export function baseRunFor(run: TrendRun): TrendRun | null {
  const baseBranch = run.entry.meta.baseBranch;
  if (baseBranch && baseBranch !== run.branch) {
    const base = newestOkBefore(run.trend.branches.get(baseBranch), run.entry.timeMs, run);
    if (base) return base;
  }
  if (run.prevOk) return run.prevOk;
  if (run.branch !== run.trend.defaultBranch) return newestOkBefore(run.trend.branches.get(run.trend.defaultBranch), run.entry.timeMs, run);
  return null;
}

export interface Comparison {
  base: TrendRun | null;
  deltaBytes: number | null;
  deltaPct: number | null;
  /** Settings that differ (not comparable: no regression). */
  settingsChanged: string[];
  regression: boolean;
}

/** A run's peak against its commit-page base (`baseRunFor`), with the one regression rule. */
export function compareToBase(run: TrendRun, rule?: RegressionRule): Comparison {
  const base = baseRunFor(run);
  if (!base || base.entry.status !== "ok" || run.entry.status !== "ok") return { base, deltaBytes: null, deltaPct: null, settingsChanged: [], regression: false };
  const c = change(base.entry.peakMemoryBytes, run.entry.peakMemoryBytes);
  const settingsChanged = settingsChanges(base.entry.header, run.entry.header);
  const regression = settingsChanged.length === 0 && isRegression(base.entry.peakMemoryBytes, run.entry.peakMemoryBytes, rule);
  return { base, deltaBytes: c.deltaBytes, deltaPct: c.deltaPct, settingsChanged, regression };
}

// ---- Index rows ------------------------------------------------------------------------------

export interface IndexRow {
  trend: string;
  branch: string;
  /** Newest run on the trend's default branch (any status). */
  latest: TrendRun;
  /** Newest ok run there, whose figures the row shows. */
  latestOk: TrendRun | null;
  peakMemoryBytes: number | null;
  deltaBytes: number | null;
  deltaPct: number | null;
  regression: boolean;
  /** The latest ok run's settings differ from the one before. */
  settingsChanged: string[];
  /** Peaks of the newest ok runs on the default branch, oldest first (at most `sparkRuns`). */
  spark: number[];
  /** The newest run's time, on any branch. */
  lastTimeMs: number;
  latestFailed: boolean;
  incomplete: boolean;
  runCount: number;
}

/** One row per trend, regressions first, then by name. */
export function indexRows(history: History, sparkRuns = 30): IndexRow[] {
  const rows = history.trends.map((trend): IndexRow => {
    const list = trend.branches.get(trend.defaultBranch)!;
    const latest = list[list.length - 1]!;
    let latestOk: TrendRun | null = null;
    for (let i = list.length - 1; i >= 0 && !latestOk; i--) if (list[i]!.entry.status === "ok") latestOk = list[i]!;
    const spark: number[] = [];
    for (let i = list.length - 1; i >= 0 && spark.length < sparkRuns; i--) {
      const e = list[i]!.entry;
      if (e.status === "ok") spark.push(e.peakMemoryBytes);
    }
    spark.reverse();
    const ok = latestOk?.entry.status === "ok" ? latestOk.entry : null;
    return {
      trend: trend.name,
      branch: trend.defaultBranch,
      latest,
      latestOk,
      peakMemoryBytes: ok ? ok.peakMemoryBytes : null,
      deltaBytes: latestOk?.change?.deltaBytes ?? null,
      deltaPct: latestOk?.change?.deltaPct ?? null,
      regression: latestOk?.regression ?? false,
      settingsChanged: latestOk?.settingsChanged ?? [],
      spark,
      lastTimeMs: trend.runs[trend.runs.length - 1]!.entry.timeMs,
      latestFailed: latest.entry.status === "failed",
      incomplete: ok ? !ok.complete : false,
      runCount: trend.runs.length,
    };
  });
  return rows.sort((a, b) => Number(b.regression) - Number(a.regression) || (a.trend < b.trend ? -1 : a.trend > b.trend ? 1 : 0));
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

// ---- The per-benchmark data file ---------------------------------------------------------------

export const BENCHMARK_FILE_VERSION = 1;

/** One run in a benchmark data file. Absent fields are null/false. */
export interface BenchmarkFileRun {
  id: string;
  /** Index into `branches`. */
  branch: number;
  commit?: string;
  timeMs: number;
  message?: string;
  failed?: true;
  incomplete?: true;
  pruned?: true;
  peakMemoryBytes?: number;
  leakedBytes?: number;
  totalBytesAllocated?: number;
  nAllocations?: number;
  /** Settings that differ from the previous ok run of its branch: a break. */
  settingsChanged?: string[];
  /** [index into `callSites`, bytes at the peak]. */
  callSites?: Array<[number, number]>;
}

/** `/data/benchmarks/<slug>.json`: what the benchmark page draws and tabulates, one per trend. */
export interface BenchmarkFile {
  version: number;
  name: string;
  defaultBranch: string;
  branches: string[];
  callSites: Array<Pick<CallSite, "function" | "filename" | "lineno">>;
  /** Time order. */
  runs: BenchmarkFileRun[];
}

export function benchmarkFile(trend: Trend): BenchmarkFile {
  const branches = [...trend.branches.keys()];
  const branchIndex = new Map(branches.map((b, i) => [b, i]));
  const callSites: BenchmarkFile["callSites"] = [];
  const siteIndex = new Map<string, number>();
  const runs = trend.runs.map((run): BenchmarkFileRun => {
    const e = run.entry;
    const out: BenchmarkFileRun = { id: e.id, branch: branchIndex.get(run.branch)!, timeMs: e.timeMs };
    if (e.commit) out.commit = e.commit;
    if (e.meta.message) out.message = e.meta.message;
    if (e.status === "failed") {
      out.failed = true;
      return out;
    }
    if (!e.complete) out.incomplete = true;
    if (e.dataPruned) out.pruned = true;
    out.peakMemoryBytes = e.peakMemoryBytes;
    out.leakedBytes = e.leakedBytes;
    if (e.totalBytesAllocated !== null) out.totalBytesAllocated = e.totalBytesAllocated;
    if (e.nAllocations !== null) out.nAllocations = e.nAllocations;
    if (run.settingsChanged.length > 0) out.settingsChanged = run.settingsChanged;
    if (e.topCallSites.length > 0) {
      out.callSites = e.topCallSites.map((cs) => {
        const key = `${cs.function}\u0000${cs.filename}\u0000${cs.lineno}`;
        let i = siteIndex.get(key);
        if (i === undefined) {
          siteIndex.set(key, (i = callSites.length));
          callSites.push({ function: cs.function, filename: cs.filename, lineno: cs.lineno });
        }
        return [i, cs.sizeBytes];
      });
    }
    return out;
  });
  return { version: BENCHMARK_FILE_VERSION, name: trend.name, defaultBranch: trend.defaultBranch, branches, callSites, runs };
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
  deltaBytes: number | null;
  deltaPct: number | null;
  regression: boolean;
  broken: boolean;
}

/** One branch's points for a metric, in time order (runs without a value are left out). */
export function branchSeries(file: BenchmarkFile, branch: number, metric: Metric, rule?: RegressionRule): SeriesPoint[] {
  const idx: number[] = [];
  file.runs.forEach((r, i) => {
    if (r.branch === branch) idx.push(i);
  });
  const value = (i: number) => file.runs[i]![metric] ?? null;
  // A break is about settings, whatever the metric: it is marked on the run after the change.
  const steps = branchSteps(idx, value, (i) => (file.runs[i]!.settingsChanged?.length ?? 0) > 0, { rule, bytes: METRICS[metric].bytes });
  const out: SeriesPoint[] = [];
  idx.forEach((i, k) => {
    const v = value(i);
    if (v === null) return;
    const s = steps[k]!;
    out.push({ run: i, timeMs: file.runs[i]!.timeMs, value: v, deltaBytes: s.deltaBytes, deltaPct: s.deltaPct, regression: s.regression, broken: s.broken });
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

/** "+4.20 MB (+40.0%)", "-1.00 kB (-0.5%)", "±0 B". */
export function formatChange(deltaBytes: number, deltaPct: number | null, format: (n: number) => string): string {
  if (deltaBytes === 0) return `±${format(0)}`;
  const sign = deltaBytes > 0 ? "+" : "-";
  const pct = deltaPct === null ? "" : ` (${sign}${Math.abs(deltaPct).toFixed(1)}%)`;
  return `${sign}${format(Math.abs(deltaBytes))}${pct}`;
}

/** "2026-11-17 09:30" (UTC): dates in tables. */
export function formatDate(timeMs: number): string {
  // 0 is "never known" (a failed run without metadata); a hostile header may hold a time
  // outside Date's range, where toISOString throws.
  const d = new Date(timeMs);
  if (!(timeMs > 0) || !Number.isFinite(d.getTime())) return "unknown";
  return d.toISOString().slice(0, 16).replace("T", " ");
}
