/** Ordering and grouping runs for the index and the sidebar (build side). */
import type { RunEntry } from "../content/schema.ts";

/** When the run was made (meta timestamp, else the capture's start), or null when unknown (a failed run without meta). */
export function runStartMs(run: RunEntry): number | null {
  const t = run.meta.timestamp ? Date.parse(run.meta.timestamp) : NaN;
  if (Number.isFinite(t)) return t;
  return run.status === "ok" ? run.header.startTimeMs : null;
}

/** For ordering: an unknown time sorts first. */
export function runTimeMs(run: RunEntry): number {
  return runStartMs(run) ?? 0;
}

/** "2026-11-22 12:00" (UTC), or "unknown" rather than the epoch. */
export function runDateText(run: RunEntry): string {
  const t = runStartMs(run);
  return t === null ? "unknown" : new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

export function benchmarkOf(run: RunEntry): string {
  return run.meta.benchmark ?? run.fileName.replace(/\.bin$/i, "").split("--")[0] ?? run.id;
}

/** A capture mode whose figures do not compare with default-mode runs, or null. */
export function modeOf(run: RunEntry): string | null {
  if (run.status !== "ok") return null;
  if (run.header.aggregated) return "aggregated";
  if (run.header.nativeTraces) return "native";
  return null;
}

/** The short commit (plus the mode when it is not the default), else the file name. */
export function runLabel(run: RunEntry): string {
  if (!run.meta.commit) return run.fileName.replace(/\.bin$/i, "");
  const mode = modeOf(run);
  return mode ? `${run.meta.commit.slice(0, 7)} (${mode})` : run.meta.commit.slice(0, 7);
}

export interface RunGroup {
  /** The benchmark, with its capture mode when not the default (`import_orders [native]`). */
  benchmark: string;
  branch: string;
  runs: RunEntry[];
}

/** Runs by benchmark and branch, each group in time order; groups sorted by name. */
export function groupRuns(runs: RunEntry[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    // --native and --aggregate runs measure differently: they get trends of their own.
    const mode = modeOf(run);
    const benchmark = mode ? `${benchmarkOf(run)} [${mode}]` : benchmarkOf(run);
    const branch = run.meta.branch ?? "(no branch)";
    const key = `${benchmark}\u0000${branch}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { benchmark, branch, runs: [] }));
    g.runs.push(run);
  }
  for (const g of groups.values()) g.runs.sort((a, b) => runTimeMs(a) - runTimeMs(b) || a.id.localeCompare(b.id));
  return [...groups.values()].sort((a, b) => a.benchmark.localeCompare(b.benchmark) || (a.branch === "main" ? -1 : b.branch === "main" ? 1 : a.branch.localeCompare(b.branch)));
}
