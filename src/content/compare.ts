/**
 * Comparing two runs: one benchmark's comparison (figures, deltas, regression by the one rule, the
 * call sites that explain the change) as the PR comment, `heaptrail compare --format json` and the
 * pages use it. Which runs are compared is the history model's answer (./history.ts).
 * Browser-safe: no Node imports, no zod.
 */
import { callSiteChanges, diffTrees, type CallSiteChange, type DiffSource, type DiffTree } from "../analysis/diff.ts";
import { runLabel } from "../shared/format.ts";
import type { RegressionRule } from "../shared/regression.ts";
import { modeOfHeader, runChange, seriesName, type Drift, type Metric } from "./history.ts";
import type { CallSite, OkRunEntry } from "./schema.ts";

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
  return runLabel(run.commit, modeOfHeader(run.header), run.id);
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
  /** Why `base` is the base, when the history model chose it (null: given on the command line). */
  baseKind: "previous" | "pr" | "branch-start" | "baseline" | null;
  /** With baseKind "baseline": the base is the lowest of this many runs (the drift window). */
  baselineWindow: number | null;
  head: RunRef;
  /** Empty when the runs compare; else the settings they differ in (no regression is then called). */
  settingsDifferences: string[];
  peak: Metric;
  leaked: Metric;
  allocations: Metric;
  /** Peak or leaked bytes grew past the rule (never when there is no comparable base). */
  regression: boolean;
  /** The head's peak drifted over the baseline window of its series (not a step: see the model). */
  drift: DriftRef | null;
  /** The call sites whose bytes at peak changed most, biggest change first. */
  callSites: CallSiteChange[];
  /** Where `callSites` came from: the full peak trees, or the kept top call sites of pruned runs. */
  callSitesFrom: "diff" | "topCallSites" | "none";
  /** A plain note when something could not be compared (pruned data, no base). */
  notes: string[];
}

/** A drift as a comparison reports it: the baseline run and the window it was the minimum of. */
export interface DriftRef {
  baseline: RunRef;
  windowRuns: number;
  peak: Metric;
}

function driftRef(d: Drift): DriftRef {
  return { baseline: runRef(d.baseline.entry as OkRunEntry, true), windowRuns: d.windowRuns, peak: d.peak };
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
  baseKind?: BenchmarkComparison["baseKind"];
  /** With baseKind "baseline": how many runs the window held. */
  baselineWindow?: number | null;
  /** The head's drift (the history model's), when it is in a ledger. */
  drift?: Drift | null;
  /** How many call sites to keep. Default 5. */
  callSites?: number;
}

/** One benchmark's comparison (see BenchmarkComparison). */
export function compareBenchmark(input: CompareInput): BenchmarkComparison {
  const { base, head } = input;
  const limit = input.callSites ?? 5;
  const c = base ? runChange(base, head, input.rule) : null;
  const none: Metric = { base: null, head: null, deltaBytes: null, deltaPct: null };
  const out: BenchmarkComparison = {
    series: seriesName(head),
    base: base ? runRef(base, input.baseInLedger ?? true) : null,
    baseKind: input.baseKind ?? null,
    baselineWindow: input.baselineWindow ?? null,
    head: runRef(head, input.headInLedger ?? true),
    settingsDifferences: c ? c.settings.map((d) => d.sentence) : [],
    peak: c ? c.peak : { ...none, head: head.peakMemoryBytes },
    leaked: c ? c.leaked : { ...none, head: head.leakedBytes },
    allocations: c ? c.allocations : { ...none, head: head.nAllocations },
    regression: c?.regression ?? false,
    drift: input.drift?.drift ? driftRef(input.drift) : null,
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

/**
 * The view whose trees name a view's call sites: call sites are the frames that allocate (own
 * bytes in a non-inverted tree), so the inverted view, a view of the peak, takes the peak's.
 */
export function callSiteView<V extends string>(view: V | "inverted"): V | "peak" {
  return view === "inverted" ? "peak" : view;
}

/** Worst first: regressions, then by peak growth (percent, then bytes); runs without a base last. */
export function worstFirst(a: BenchmarkComparison, b: BenchmarkComparison): number {
  if (a.regression !== b.regression) return a.regression ? -1 : 1;
  if ((a.base === null) !== (b.base === null)) return a.base === null ? 1 : -1;
  const pa = a.peak.deltaPct ?? -Infinity;
  const pb = b.peak.deltaPct ?? -Infinity;
  return pb - pa || (b.peak.deltaBytes ?? 0) - (a.peak.deltaBytes ?? 0) || a.series.localeCompare(b.series);
}

export type { CallSiteChange, DiffTree, Metric };
