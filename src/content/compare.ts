/**
 * Comparing runs: which pairs the site builds compare pages for, and one benchmark's comparison
 * (figures, deltas, regression by the one rule, the call sites that explain the change) as the
 * PR comment, `heaptrail compare --format json` and the pages use it. Browser-safe: no Node
 * imports, no zod.
 */
import { callSiteChanges, diffTrees, settingsDifferences, type CallSiteChange, type CaptureSettings, type DiffSource, type DiffTree } from "./diff.ts";
import { change, isRegression, type RegressionRule } from "../shared/regression.ts";
import type { CallSite, OkRunEntry, RunEntry } from "./schema.ts";

/** The capture settings of a run, for `settingsDifferences`. */
export function settingsOf(run: CompareRun): CaptureSettings {
  const h = run.header;
  return {
    version: h.version,
    pythonVersion: h.pythonVersion,
    nativeTraces: h.nativeTraces,
    aggregated: h.aggregated,
    pythonAllocator: h.pythonAllocator,
    tracePythonAllocators: h.tracePythonAllocators,
  };
}

/**
 * The series a run belongs to: its benchmark, plus the capture mode when it is not the default
 * (`--native` and `--aggregate` runs measure differently and are compared among themselves).
 */
export function seriesOf(run: CompareRun): string {
  const mode = run.header.aggregated ? "aggregated" : run.header.nativeTraces ? "native" : null;
  return mode ? `${run.benchmark} [${mode}]` : run.benchmark;
}

function byTime(a: RunEntry, b: RunEntry): number {
  return a.timeMs - b.timeMs || a.id.localeCompare(b.id);
}

/** The branch pull requests target when their meta does not say: "main", else the busiest branch. */
export function defaultBranch(runs: readonly RunEntry[]): string | null {
  const counts = new Map<string, number>();
  for (const r of runs) if (r.branch && r.meta.pr == null && !r.meta.baseBranch) counts.set(r.branch, (counts.get(r.branch) ?? 0) + 1);
  if (counts.has("main")) return "main";
  let best: string | null = null;
  for (const [b, n] of counts) if (best === null || n > counts.get(best)!) best = b;
  return best;
}

export interface ComparePair {
  base: OkRunEntry;
  head: OkRunEntry;
  /** "previous": the previous run of the series on the head's branch; "pr": the PR's base branch. */
  kind: "previous" | "pr";
}

/**
 * The comparisons the site builds a page for: every run against the previous run of its series
 * on its branch, and every pull-request run (meta `pr` or `baseBranch`) against the newest run
 * of its series on the base branch at or before it. Only pairs whose runs both keep their full
 * flame data get a page: a page per pruned pair would add thousands of pages that only restate
 * the figures the run and commit pages show (measured: 10,000 runs gave a 1.4 GB site with them).
 */
export function comparePairs(runs: readonly RunEntry[]): ComparePair[] {
  const ok = runs.filter((r): r is OkRunEntry => r.status === "ok").sort(byTime);
  const fallbackBase = defaultBranch(ok);
  const bySeriesBranch = new Map<string, OkRunEntry[]>();
  for (const r of ok) {
    const key = `${seriesOf(r)}\u0000${r.branch ?? ""}`;
    const list = bySeriesBranch.get(key) ?? [];
    list.push(r);
    bySeriesBranch.set(key, list);
  }
  const pairs: ComparePair[] = [];
  const seen = new Set<string>();
  const add = (base: OkRunEntry, head: OkRunEntry, kind: ComparePair["kind"]) => {
    if (base.dataPruned || head.dataPruned) return;
    const k = `${base.id}\u0000${head.id}`;
    if (!seen.has(k)) pairs.push({ base, head, kind });
    seen.add(k);
  };
  for (const list of bySeriesBranch.values()) for (let i = 1; i < list.length; i++) add(list[i - 1]!, list[i]!, "previous");
  for (const head of ok) {
    if (head.meta.pr == null && !head.meta.baseBranch) continue;
    const target = head.meta.baseBranch || fallbackBase;
    if (!target || target === head.branch) continue;
    const candidates = bySeriesBranch.get(`${seriesOf(head)}\u0000${target}`) ?? [];
    const base = candidates.filter((r) => r.timeMs <= head.timeMs).at(-1);
    if (base) add(base, head, "pr");
  }
  return pairs;
}

/** Where a compare link for a pair goes: its page when the site builds one. */
export function hasComparePage(pairs: readonly ComparePair[], baseId: string, headId: string): boolean {
  return pairs.some((p) => p.base.id === baseId && p.head.id === headId);
}

/** What a compare page needs of a run: its entry without the stats tables (kept small, inlined). */
export type CompareRun = Omit<OkRunEntry, "stats">;

export function compareRun(entry: OkRunEntry): CompareRun {
  const { stats: _stats, ...rest } = entry;
  return rest;
}

/** The picker's per-benchmark file: every successful run of the benchmark, oldest first. */
export interface CompareRunsFile {
  benchmark: string;
  runs: CompareRun[];
}

/** A run's short name: its commit (and capture mode when not the default), else its id. */
export function compareRunLabel(run: CompareRun): string {
  const mode = run.header.aggregated ? " (aggregated)" : run.header.nativeTraces ? " (native)" : "";
  return `${run.commit ? run.commit.slice(0, 7) : run.id}${mode}`;
}

/** A figure in both runs (null when a run does not have it, e.g. counts of aggregated captures). */
export interface Metric {
  base: number | null;
  head: number | null;
  deltaBytes: number | null;
  deltaPct: number | null;
}

function metric(base: number | null, head: number | null): Metric {
  if (base === null || head === null) return { base, head, deltaBytes: null, deltaPct: null };
  const c = change(base, head);
  return { base, head, deltaBytes: c.deltaBytes, deltaPct: c.deltaPct };
}

/** A run as a comparison names it (enough for labels and links). */
export interface RunRef {
  id: string;
  benchmark: string;
  branch: string | null;
  commit: string | null;
  message: string | null;
  /** False when the run is not in a ledger (a capture file given on the command line). */
  inLedger: boolean;
}

export interface BenchmarkComparison {
  /** The head's series (benchmark, with its capture mode when not the default). */
  series: string;
  base: RunRef | null;
  head: RunRef;
  /** Empty when the runs compare; else the settings they differ in (no regression is then called). */
  settingsDifferences: string[];
  peak: Metric;
  leaked: Metric;
  allocations: Metric;
  /** Peak or leaked bytes grew past the rule (never when there is no comparable base). */
  regression: boolean;
  /** The call sites whose bytes at peak changed most, biggest change first. */
  callSites: CallSiteChange[];
  /** Where `callSites` came from: the full peak trees, or the kept top call sites of pruned runs. */
  callSitesFrom: "diff" | "topCallSites" | "none";
  /** A plain note when something could not be compared (pruned data, no base). */
  notes: string[];
}

export function runRef(run: OkRunEntry, inLedger: boolean): RunRef {
  return { id: run.id, benchmark: run.benchmark, branch: run.branch, commit: run.commit, message: run.meta.message ?? null, inLedger };
}

/** Call-site changes from the runs' kept top call sites (pruned runs have no trees). */
export function topCallSiteChanges(base: readonly CallSite[], head: readonly CallSite[], limit = 10): CallSiteChange[] {
  const sites = new Map<string, CallSiteChange>();
  const get = (s: CallSite) => {
    const key = `${s.function}\u0000${s.filename}\u0000${s.lineno}`;
    let c = sites.get(key);
    if (!c) sites.set(key, (c = { function: s.function, filename: s.filename, lineno: s.lineno, baseBytes: 0, headBytes: 0, baseCount: 0, headCount: 0, deltaBytes: 0 }));
    return c;
  };
  for (const s of base) Object.assign(get(s), { baseBytes: s.sizeBytes, baseCount: s.nAllocations });
  for (const s of head) Object.assign(get(s), { headBytes: s.sizeBytes, headCount: s.nAllocations });
  return [...sites.values()]
    .map((c) => ({ ...c, deltaBytes: c.headBytes - c.baseBytes }))
    .filter((c) => c.deltaBytes !== 0)
    .sort((a, b) => Math.abs(b.deltaBytes) - Math.abs(a.deltaBytes) || a.function.localeCompare(b.function))
    .slice(0, limit);
}

export interface CompareInput {
  base: OkRunEntry | null;
  head: OkRunEntry;
  baseInLedger?: boolean;
  headInLedger?: boolean;
  /** The runs' peak trees, when their data is at hand (not pruned). */
  basePeak?: DiffSource<unknown> | null;
  headPeak?: DiffSource<unknown> | null;
  rule?: RegressionRule;
  /** How many call sites to keep. Default 5. */
  callSites?: number;
}

/** One benchmark's comparison (see BenchmarkComparison). */
export function compareBenchmark(input: CompareInput): BenchmarkComparison {
  const { base, head } = input;
  const limit = input.callSites ?? 5;
  const out: BenchmarkComparison = {
    series: seriesOf(head),
    base: base ? runRef(base, input.baseInLedger ?? true) : null,
    head: runRef(head, input.headInLedger ?? true),
    settingsDifferences: base ? settingsDifferences(settingsOf(base), settingsOf(head)) : [],
    peak: metric(base?.peakMemoryBytes ?? null, head.peakMemoryBytes),
    leaked: metric(base?.leakedBytes ?? null, head.leakedBytes),
    allocations: metric(base ? base.nAllocations : null, head.nAllocations),
    regression: false,
    callSites: [],
    callSitesFrom: "none",
    notes: [],
  };
  if (!base) {
    out.notes.push(`No comparable base run of ${out.series}: nothing to compare with.`);
    return out;
  }
  if (out.settingsDifferences.length > 0) {
    out.notes.push(`The runs were captured with different settings (${out.settingsDifferences.join("; ")}): their figures do not compare, so no regression is reported.`);
  } else {
    out.regression = isRegression(base.peakMemoryBytes, head.peakMemoryBytes, input.rule) || isRegression(base.leakedBytes, head.leakedBytes, input.rule);
  }
  if (input.basePeak && input.headPeak) {
    out.callSites = callSiteChanges(diffTrees(input.basePeak, input.headPeak), limit);
    out.callSitesFrom = "diff";
  } else {
    out.callSites = topCallSiteChanges(base.topCallSites, head.topCallSites, limit);
    out.callSitesFrom = out.callSites.length > 0 ? "topCallSites" : "none";
    const pruned = [base, head].filter((r) => r.dataPruned).map((r) => r.id);
    if (pruned.length > 0) out.notes.push(`The full flame data of ${pruned.join(" and ")} was pruned: only the summary and the kept top call sites are compared.`);
  }
  return out;
}

/** Worst first: regressions, then by peak growth (percent, then bytes); runs without a base last. */
export function worstFirst(a: BenchmarkComparison, b: BenchmarkComparison): number {
  if (a.regression !== b.regression) return a.regression ? -1 : 1;
  if ((a.base === null) !== (b.base === null)) return a.base === null ? 1 : -1;
  const pa = a.peak.deltaPct ?? -Infinity;
  const pb = b.peak.deltaPct ?? -Infinity;
  return pb - pa || (b.peak.deltaBytes ?? 0) - (a.peak.deltaBytes ?? 0) || a.series.localeCompare(b.series);
}

export type { CallSiteChange, DiffTree };
