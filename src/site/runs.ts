/** Ordering and grouping runs for the index and the sidebar (build side). */
import type { RunEntry } from "../content/schema.ts";

export function runTimeMs(run: RunEntry): number {
  const t = run.meta.timestamp ? Date.parse(run.meta.timestamp) : NaN;
  if (Number.isFinite(t)) return t;
  return run.status === "ok" ? run.header.startTimeMs : 0;
}

export function benchmarkOf(run: RunEntry): string {
  return run.meta.benchmark ?? run.fileName.replace(/\.bin$/i, "").split("--")[0] ?? run.id;
}

export function runLabel(run: RunEntry): string {
  return run.meta.commit ? run.meta.commit.slice(0, 7) : run.fileName.replace(/\.bin$/i, "");
}

export interface RunGroup {
  benchmark: string;
  branch: string;
  runs: RunEntry[];
}

/** Runs by benchmark and branch, each group in time order; groups sorted by name. */
export function groupRuns(runs: RunEntry[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const benchmark = benchmarkOf(run);
    const branch = run.meta.branch ?? "(no branch)";
    const key = `${benchmark}\u0000${branch}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { benchmark, branch, runs: [] }));
    g.runs.push(run);
  }
  for (const g of groups.values()) g.runs.sort((a, b) => runTimeMs(a) - runTimeMs(b) || a.id.localeCompare(b.id));
  return [...groups.values()].sort((a, b) => a.benchmark.localeCompare(b.benchmark) || (a.branch === "main" ? -1 : b.branch === "main" ? 1 : a.branch.localeCompare(b.branch)));
}
