/**
 * The history model: the one answer to "what changed". Every surface (the commit, run, compare
 * and benchmark pages, the index, `heaptrail compare`, `heaptrail ci` and its comment) asks this
 * module, so none of them can disagree on:
 *
 * - the series a run belongs to (its benchmark in one capture mode) and the mode suffix;
 * - the default branch (HEAPTRAIL_DEFAULT_BRANCH, else "main", else "master", else the branch
 *   with most runs);
 * - the base of a run: the previous ok run of its series on its branch; a pull-request run (meta
 *   `baseBranch` or `pr`) and a branch's first run against the base branch's newest ok run at or
 *   before the merge base when known, else at or before the run's own time;
 * - comparability: one settings check that gives both the short label and the sentence;
 * - the change of a run against its base (peak, leaked, allocations) with the one regression rule
 *   (src/shared/regression.ts), and drift: creep against a baseline window that no single step
 *   shows.
 *
 * Pure: no I/O, no Astro, no DOM. Types only from the schema (no zod at run time).
 */
import {
  change,
  DEFAULT_DRIFT_WINDOW,
  isDrift,
  isRegression,
  type DriftRule,
  type RegressionRule,
} from "../shared/regression.ts";
import type { OkRunEntry, RunEntry } from "./schema.ts";

/** The branch key of runs with no known branch (git refuses spaces, so no real branch has it). */
export const NO_BRANCH = "(no branch)";

/** Env variable naming the default branch; else "main", "master", or the branch with most runs. */
export const DEFAULT_BRANCH_ENV = "HEAPTRAIL_DEFAULT_BRANCH";
/** Env variables of the site build's drift rule (see README "Drift"). */
export const DRIFT_WINDOW_ENV = "HEAPTRAIL_DRIFT_WINDOW";
export const DRIFT_ABOVE_ENV = "HEAPTRAIL_DRIFT_ABOVE";

export function branchOf(run: Pick<RunEntry, "branch">): string {
  return run.branch ?? NO_BRANCH;
}

type Header = OkRunEntry["header"];

/** A capture mode whose figures do not compare with default-mode runs, or null. */
export function modeOfHeader(h: Pick<Header, "aggregated" | "nativeTraces">): string | null {
  if (h.aggregated) return "aggregated";
  if (h.nativeTraces) return "native";
  return null;
}

export function modeOf(run: RunEntry | Pick<OkRunEntry, "status" | "header">): string | null {
  return run.status === "ok" ? modeOfHeader(run.header) : null;
}

/**
 * The series a run belongs to: its benchmark, plus its mode when not the default (`--native` and
 * `--aggregate` runs measure differently and are compared among themselves).
 */
export function seriesName(run: RunEntry | Pick<OkRunEntry, "status" | "header" | "benchmark">): string {
  const mode = modeOf(run);
  return mode ? `${run.benchmark} [${mode}]` : run.benchmark;
}

// ---- Comparability -------------------------------------------------------------------------

/** One setting two runs differ in: its short name (badges, data files) and a sentence. */
export interface SettingDifference {
  label: string;
  sentence: string;
}

const onOff = (b: boolean) => (b ? "on" : "off");
const mode = (aggregated: boolean) => (aggregated ? "aggregated" : "all allocations");
const python = (v: string | null) => v ?? "unknown";

/** The capture settings that make two runs' figures comparable, in display order. */
const SETTINGS: Array<{ label: string; differs: (a: Header, b: Header) => boolean; sentence: (a: Header, b: Header) => string }> = [
  { label: "header version", differs: (a, b) => a.version !== b.version, sentence: (a, b) => `capture format: v${a.version} → v${b.version}` },
  { label: "Python version", differs: (a, b) => python(a.pythonVersion) !== python(b.pythonVersion), sentence: (a, b) => `Python: ${python(a.pythonVersion)} → ${python(b.pythonVersion)}` },
  { label: "native traces", differs: (a, b) => a.nativeTraces !== b.nativeTraces, sentence: (a, b) => `native traces: ${onOff(a.nativeTraces)} → ${onOff(b.nativeTraces)}` },
  { label: "aggregated", differs: (a, b) => a.aggregated !== b.aggregated, sentence: (a, b) => `capture mode: ${mode(a.aggregated)} → ${mode(b.aggregated)}` },
  { label: "Python allocator", differs: (a, b) => a.pythonAllocator !== b.pythonAllocator, sentence: (a, b) => `Python allocator: ${a.pythonAllocator} → ${b.pythonAllocator}` },
  {
    label: "trace Python allocators",
    differs: (a, b) => a.tracePythonAllocators !== b.tracePythonAllocators,
    sentence: (a, b) => `Python allocator tracing: ${onOff(a.tracePythonAllocators)} → ${onOff(b.tracePythonAllocators)}`,
  },
];

/**
 * The one settings check: the settings base and head differ in (empty when their figures
 * compare). Different settings measure different things: a change is still shown, but nothing is
 * called a regression or drift.
 */
export function settingsDifferences(base: Header, head: Header): SettingDifference[] {
  return SETTINGS.filter((s) => s.differs(base, head)).map((s) => ({ label: s.label, sentence: s.sentence(base, head) }));
}

// ---- Default branch --------------------------------------------------------------------------

/** `configured` if given; else "main", else "master", else the branch with most runs (ties: by name). */
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

// ---- Changes ---------------------------------------------------------------------------------

/** A figure in both runs (null when a run does not have it, e.g. counts of aggregated captures). */
export interface Metric {
  base: number | null;
  head: number | null;
  deltaBytes: number | null;
  deltaPct: number | null;
}

export function metric(base: number | null, head: number | null): Metric {
  if (base === null || head === null) return { base, head, deltaBytes: null, deltaPct: null };
  const c = change(base, head);
  return { base, head, deltaBytes: c.deltaBytes, deltaPct: c.deltaPct };
}

/** What a run changed against its base. */
export interface RunChange {
  peak: Metric;
  leaked: Metric;
  allocations: Metric;
  /** Non-empty: the runs do not compare (no regression, no drift). */
  settings: SettingDifference[];
  /** Peak or leaked bytes grew past the rule (never when the settings differ). */
  regression: boolean;
  /** Which figures grew past the rule. */
  regressed: Array<"peak" | "leaked">;
}

/** The change from `base` to `head` with the one regression rule (peak or leaked bytes). */
export function runChange(base: OkRunEntry, head: OkRunEntry, rule?: RegressionRule): RunChange {
  const settings = settingsDifferences(base.header, head.header);
  const regressed: RunChange["regressed"] = [];
  if (settings.length === 0) {
    if (isRegression(base.peakMemoryBytes, head.peakMemoryBytes, rule)) regressed.push("peak");
    if (isRegression(base.leakedBytes, head.leakedBytes, rule)) regressed.push("leaked");
  }
  return {
    peak: metric(base.peakMemoryBytes, head.peakMemoryBytes),
    leaked: metric(base.leakedBytes, head.leakedBytes),
    allocations: metric(base.nAllocations, head.nAllocations),
    settings,
    regression: regressed.length > 0,
    regressed,
  };
}

/** A run's peak above the baseline of its series: the minimum of the window before it. */
export interface Drift {
  /** The window's minimum run (ok, comparable, on the default branch, before the run). */
  baseline: SeriesRun;
  /** How many runs the window held (at most the rule's window). */
  windowRuns: number;
  peak: Metric;
  /** Over the drift rule (and not already a step regression). */
  drift: boolean;
}

// ---- The history -----------------------------------------------------------------------------

/** Why a run's base is the run it is. */
export type BaseKind =
  /** The previous ok run of its series on its branch. */
  | "previous"
  /** A pull-request run: the base branch's run at or before the merge base (or the run). */
  | "pr"
  /** A branch's first run: the default branch's run before it. */
  | "branch-start";

export interface SeriesRun {
  entry: RunEntry;
  series: Series;
  branch: string;
  /** Its position among its branch's runs (time order). */
  index: number;
  /** Neighbours on the same series and branch (any status), in time order. */
  prev: SeriesRun | null;
  next: SeriesRun | null;
  /** The run this run's change is measured against (see the module comment), or null. */
  base: SeriesRun | null;
  baseKind: BaseKind | null;
  /** Against `base`; null without one or when either run failed. */
  change: RunChange | null;
  /** Against the baseline window; null when there is none. */
  drift: Drift | null;
}

export interface Series {
  name: string;
  benchmark: string;
  mode: string | null;
  /** This series' default branch: the site's, else its branch with most runs. */
  defaultBranch: string;
  /** Branch -> runs in time order; iteration order: default branch first, then most runs. */
  branches: Map<string, SeriesRun[]>;
  /** Every run, in time order. */
  runs: SeriesRun[];
}

export interface History {
  defaultBranch: string | null;
  /** Sorted by name. */
  series: Series[];
  seriesByName: Map<string, Series>;
  byId: Map<string, SeriesRun>;
  /** Full commit sha -> its runs (every series), sorted by series name then time. */
  byCommit: Map<string, SeriesRun[]>;
  /** The comparisons the site builds a page for (see `comparePairs`). */
  pairs: ComparePair[];
}

export interface HistoryOptions {
  /** The default branch; default: "main", else "master", else the branch with most runs. */
  defaultBranch?: string | null;
  rule?: RegressionRule;
  drift?: DriftRule;
  /** Head commit -> its merge base with the base branch, when known (git, in CI). */
  mergeBases?: ReadonlyMap<string, string>;
}

export interface ComparePair {
  base: OkRunEntry;
  head: OkRunEntry;
  kind: BaseKind;
}

function byTime(a: RunEntry, b: RunEntry): number {
  return a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** How many runs of `runs` (time order) are at or before `timeMs` (a binary search: histories hold 10,000s). */
function countAtOrBefore(runs: readonly SeriesRun[], timeMs: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]!.entry.timeMs <= timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The newest ok run of `runs` (time order) at or before `timeMs`, other than `self`. */
function newestOkAtOrBefore(runs: readonly SeriesRun[] | undefined, timeMs: number, self: SeriesRun | null): SeriesRun | null {
  if (!runs) return null;
  for (let i = countAtOrBefore(runs, timeMs) - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r !== self && r.entry.status === "ok") return r;
  }
  return null;
}

/** The branch a pull-request run targets (meta `baseBranch`, else the default branch), or null. */
export function pullRequestTarget(entry: RunEntry, defaultBranch: string | null): string | null {
  if (entry.meta.baseBranch) return entry.meta.baseBranch;
  if (entry.meta.pr !== null && entry.meta.pr !== undefined && entry.meta.pr !== "") return defaultBranch;
  return null;
}

/** The branch a run's base is looked for on when it is not its own: PR target, else the default. */
export function baseBranchOf(run: SeriesRun): string {
  return pullRequestTarget(run.entry, run.series.defaultBranch) ?? run.series.defaultBranch;
}

function chooseBase(run: SeriesRun, prevOk: SeriesRun | null, mergeBases: ReadonlyMap<string, string> | undefined): { base: SeriesRun | null; kind: BaseKind | null } {
  const series = run.series;
  const target = pullRequestTarget(run.entry, series.defaultBranch);
  const onBranch = (branch: string): SeriesRun | null => {
    const list = series.branches.get(branch);
    const mb = run.entry.commit ? mergeBases?.get(run.entry.commit) : undefined;
    const atMergeBase = mb ? list?.find((r) => r.entry.commit === mb) : undefined; // CI only: one head
    return newestOkAtOrBefore(list, atMergeBase ? atMergeBase.entry.timeMs : run.entry.timeMs, run);
  };
  if (target !== null && target !== run.branch) {
    const base = onBranch(target);
    if (base) return { base, kind: "pr" };
  }
  if (prevOk) return { base: prevOk, kind: "previous" };
  if (run.branch !== series.defaultBranch) {
    const base = onBranch(series.defaultBranch);
    if (base) return { base, kind: "branch-start" };
  }
  return { base: null, kind: null };
}

/** The baseline window of a run: the last `window` ok, comparable runs on the default branch before it. */
function driftOf(run: SeriesRun, regression: boolean, rule: DriftRule | undefined): Drift | null {
  const e = run.entry;
  if (e.status !== "ok") return null;
  const list = run.series.branches.get(run.series.defaultBranch) ?? [];
  const windowSize = rule?.windowRuns ?? DEFAULT_DRIFT_WINDOW;
  // A pull-request run's window ends where its base is (the merge base); a default-branch run's
  // just before it.
  const end =
    run.branch === run.series.defaultBranch
      ? run.index
      : run.base?.branch === run.series.defaultBranch
        ? run.base.index + 1
        : countAtOrBefore(list, e.timeMs);
  const window: SeriesRun[] = [];
  for (let i = end - 1; i >= 0 && window.length < windowSize; i--) {
    const r = list[i]!;
    if (r === run || r.entry.status !== "ok") continue;
    // A settings change ends the window: older runs measured something else.
    if (settingsDifferences(r.entry.header, e.header).length > 0) break;
    window.push(r);
  }
  if (window.length === 0) return null;
  let baseline = window[0]!;
  for (const r of window) if ((r.entry as OkRunEntry).peakMemoryBytes < (baseline.entry as OkRunEntry).peakMemoryBytes) baseline = r;
  const baseBytes = (baseline.entry as OkRunEntry).peakMemoryBytes;
  return {
    baseline,
    windowRuns: window.length,
    peak: metric(baseBytes, e.peakMemoryBytes),
    drift: !regression && isDrift(baseBytes, e.peakMemoryBytes, rule),
  };
}

export function buildHistory(entries: readonly RunEntry[], options: HistoryOptions = {}): History {
  const defaultBranch = chooseDefaultBranch(entries.map(branchOf), options.defaultBranch);
  const sorted = [...entries].sort(byTime);
  const seriesByName = new Map<string, Series>();
  const byId = new Map<string, SeriesRun>();
  const byCommit = new Map<string, SeriesRun[]>();
  for (const entry of sorted) {
    const name = seriesName(entry);
    let series = seriesByName.get(name);
    if (!series) {
      series = { name, benchmark: entry.benchmark, mode: modeOf(entry), defaultBranch: "", branches: new Map(), runs: [] };
      seriesByName.set(name, series);
    }
    const branch = branchOf(entry);
    const run: SeriesRun = { entry, series, branch, index: 0, prev: null, next: null, base: null, baseKind: null, change: null, drift: null };
    series.runs.push(run);
    let list = series.branches.get(branch);
    if (!list) series.branches.set(branch, (list = []));
    list.push(run);
    byId.set(entry.id, run);
    if (entry.commit) {
      let c = byCommit.get(entry.commit);
      if (!c) byCommit.set(entry.commit, (c = []));
      c.push(run);
    }
  }
  for (const series of seriesByName.values()) {
    series.defaultBranch = defaultBranch !== null && series.branches.has(defaultBranch) ? defaultBranch : chooseDefaultBranch(series.runs.map((r) => r.branch))!;
    const counts = [...series.branches].map(([b, l]) => [b, l.length] as const);
    counts.sort((a, b) => (a[0] === series.defaultBranch ? -1 : b[0] === series.defaultBranch ? 1 : b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    series.branches = new Map(counts.map(([b]) => [b, series.branches.get(b)!]));
    for (const list of series.branches.values()) {
      let prevOk: SeriesRun | null = null;
      list.forEach((run, i) => {
        run.index = i;
        run.prev = list[i - 1] ?? null;
        run.next = list[i + 1] ?? null;
        const { base, kind } = chooseBase(run, prevOk, options.mergeBases);
        run.base = base;
        run.baseKind = kind;
        if (base && base.entry.status === "ok" && run.entry.status === "ok") run.change = runChange(base.entry, run.entry, options.rule);
        if (run.entry.status === "ok") prevOk = run;
      });
    }
    // Drift after every base is known (a PR run's window ends at its base).
    for (const run of series.runs) run.drift = driftOf(run, run.change?.regression ?? false, options.drift);
  }
  const series = [...seriesByName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const runs of byCommit.values()) runs.sort((a, b) => (a.series.name < b.series.name ? -1 : a.series.name > b.series.name ? 1 : byTime(a.entry, b.entry)));
  return { defaultBranch, series, seriesByName, byId, byCommit, pairs: comparePairs(byId.values()) };
}

/** True when both runs keep the flame data a compare page diffs. */
export function keepsFlameData(run: RunEntry): run is OkRunEntry {
  return run.status === "ok" && !run.dataPruned;
}

/**
 * The comparisons the site builds a page for: every run against its base, when both keep their
 * full flame data: a page per pruned pair would add thousands of pages that only restate the
 * figures the run and commit pages show (measured: 10,000 runs gave a 1.4 GB site with them).
 */
function comparePairs(runs: Iterable<SeriesRun>): ComparePair[] {
  const pairs: ComparePair[] = [];
  for (const run of runs) {
    const base = run.base?.entry;
    if (base && run.baseKind && keepsFlameData(base) && keepsFlameData(run.entry)) pairs.push({ base, head: run.entry, kind: run.baseKind });
  }
  return pairs.sort((a, b) => byTime(a.head, b.head));
}

/** The compare page of a run and its base, when the site builds one (else null: link the picker or nothing). */
export function comparePairOf(run: SeriesRun): ComparePair | null {
  const base = run.base?.entry;
  return base && run.baseKind && keepsFlameData(base) && keepsFlameData(run.entry) ? { base, head: run.entry, kind: run.baseKind } : null;
}

/** Whether the site has a compare page for exactly this pair. */
export function hasComparePage(history: Pick<History, "byId">, baseId: string, headId: string): boolean {
  const run = history.byId.get(headId);
  return !!run && run.base?.entry.id === baseId && comparePairOf(run) !== null;
}

/**
 * The newest ok run of `series` in `runs` at or before `timeMs` (else the oldest after it), other
 * than `excludeId`: what an explicit `heaptrail compare BASE HEAD` pairs a head with.
 */
export function newestOfSeriesBefore(runs: readonly OkRunEntry[], series: string, timeMs: number, excludeId: string): OkRunEntry | null {
  const candidates = runs.filter((r) => seriesName(r) === series && r.id !== excludeId).sort(byTime);
  const before = candidates.filter((r) => r.timeMs <= timeMs);
  return (before.length > 0 ? before : candidates).at(-1) ?? null;
}

/** The newest run of each series among `runs`. */
export function newestPerSeries<T extends RunEntry>(runs: readonly T[]): T[] {
  const by = new Map<string, T>();
  for (const r of runs) {
    const prev = by.get(seriesName(r));
    if (!prev || byTime(prev, r) < 0) by.set(seriesName(r), r);
  }
  return [...by.values()];
}

// ---- Index rows ------------------------------------------------------------------------------

export interface IndexRow {
  series: string;
  branch: string;
  /** Newest run on the series' default branch (any status). */
  latest: SeriesRun;
  /** Newest ok run there, whose figures the row shows. */
  latestOk: SeriesRun | null;
  peakMemoryBytes: number | null;
  /** The latest ok run's change against its base, and its drift. */
  change: RunChange | null;
  drift: Drift | null;
  /** Peaks of the newest ok runs on the default branch, oldest first (at most `sparkRuns`). */
  spark: number[];
  /** The newest run's time, on any branch. */
  lastTimeMs: number;
  latestFailed: boolean;
  incomplete: boolean;
  runCount: number;
}

/** One row per series: regressions first, then drift, then by name. */
export function indexRows(history: History, sparkRuns = 30): IndexRow[] {
  const rows = history.series.map((series): IndexRow => {
    const list = series.branches.get(series.defaultBranch)!;
    const latest = list[list.length - 1]!;
    let latestOk: SeriesRun | null = null;
    for (let i = list.length - 1; i >= 0 && !latestOk; i--) if (list[i]!.entry.status === "ok") latestOk = list[i]!;
    const spark: number[] = [];
    for (let i = list.length - 1; i >= 0 && spark.length < sparkRuns; i--) {
      const e = list[i]!.entry;
      if (e.status === "ok") spark.push(e.peakMemoryBytes);
    }
    spark.reverse();
    const ok = latestOk?.entry.status === "ok" ? latestOk.entry : null;
    return {
      series: series.name,
      branch: series.defaultBranch,
      latest,
      latestOk,
      peakMemoryBytes: ok ? ok.peakMemoryBytes : null,
      change: latestOk?.change ?? null,
      drift: latestOk?.drift ?? null,
      spark,
      lastTimeMs: series.runs[series.runs.length - 1]!.entry.timeMs,
      latestFailed: latest.entry.status === "failed",
      incomplete: ok ? !ok.complete : false,
      runCount: series.runs.length,
    };
  });
  const rank = (r: IndexRow) => (r.change?.regression ? 0 : r.drift?.drift ? 1 : 2);
  return rows.sort((a, b) => rank(a) - rank(b) || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
}

/** The drift rule from the site build's environment (HEAPTRAIL_DRIFT_WINDOW, HEAPTRAIL_DRIFT_ABOVE). */
export function driftRuleFromEnv(env: Record<string, string | undefined>): DriftRule {
  const rule: DriftRule = {};
  const n = Number(env[DRIFT_WINDOW_ENV]);
  if (env[DRIFT_WINDOW_ENV] && Number.isInteger(n) && n >= 1) rule.windowRuns = n;
  const pct = Number(env[DRIFT_ABOVE_ENV]);
  if (env[DRIFT_ABOVE_ENV] && Number.isFinite(pct) && pct >= 0) rule.driftAbovePct = pct;
  return rule;
}
