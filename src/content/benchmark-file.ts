/**
 * `/data/benchmarks/<slug>.json`: what a benchmark page draws and tabulates, one file per series,
 * made at build time from the history model. Each run names its base (an index into `runs`), so
 * the browser measures every metric's change against the run the model chose, and carries the
 * model's regression and drift flags: the page computes no base of its own.
 */
import type { Series } from "./history.ts";
import type { CallSite } from "./schema.ts";

export const BENCHMARK_FILE_VERSION = 2;

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
  /** Index into `runs` of the run's base (the history model's), when it has one. */
  base?: number;
  /** Settings that differ from the base: not comparable (a break in the trend). */
  settingsChanged?: string[];
  /** The figures (peak, leaked bytes) that grew past the regression rule against the base. */
  regression?: Array<"peak" | "leaked">;
  /** The peak is over the baseline window's minimum by more than the drift rule. */
  drift?: { baseline: number; deltaBytes: number; deltaPct: number | null };
  /** [index into `callSites`, bytes at the peak]. */
  callSites?: Array<[number, number]>;
}

export interface BenchmarkFile {
  version: number;
  name: string;
  defaultBranch: string;
  branches: string[];
  callSites: Array<Pick<CallSite, "function" | "filename" | "lineno">>;
  /** Time order. */
  runs: BenchmarkFileRun[];
}

export function benchmarkFile(series: Series): BenchmarkFile {
  const branches = [...series.branches.keys()];
  const branchIndex = new Map(branches.map((b, i) => [b, i]));
  const runIndex = new Map(series.runs.map((r, i) => [r, i]));
  const callSites: BenchmarkFile["callSites"] = [];
  const siteIndex = new Map<string, number>();
  const runs = series.runs.map((run): BenchmarkFileRun => {
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
    if (run.base && run.change) out.base = runIndex.get(run.base)!;
    if (run.change && run.change.settings.length > 0) out.settingsChanged = run.change.settings.map((s) => s.label);
    if (run.change?.regression) out.regression = run.change.regressed;
    if (run.drift?.drift) out.drift = { baseline: runIndex.get(run.drift.baseline)!, deltaBytes: run.drift.peak.deltaBytes!, deltaPct: run.drift.peak.deltaPct };
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
  return { version: BENCHMARK_FILE_VERSION, name: series.name, defaultBranch: series.defaultBranch, branches, callSites, runs };
}
