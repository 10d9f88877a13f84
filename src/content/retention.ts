/**
 * The ledger's retention and removal. Every run keeps its entry (metadata, settings, stats,
 * figures, top call sites) forever; the full flame data of a run is kept only for the newest
 * `keepFull` runs of each benchmark and branch and for runs pinned with `meta.keep`. Pruning is
 * deterministic in the set of entries, so a union of ledgers prunes as one ledger would.
 * Removing a run is only ever a command (`heaptrail remove`).
 */
import { existsSync } from "node:fs";
import { entryIds, readEntryText, removeRun, removeRunData, runDataDir, writeEntry } from "./ledger.ts";
import { collectSharedData } from "./shared-data.ts";
import { SCHEMA_VERSION, type OkRunEntry, type RunEntry } from "./schema.ts";

/**
 * Runs per benchmark and branch that keep their full flame data. Measured on the demo captures
 * (captures/): 57 KB of data files and 8 KB of entry per run. A 10,000-run ledger of 200
 * benchmarks then holds 200 × 20 full runs, 230 MB of data instead of 570 MB, plus one page per
 * run (bench/site.ts measures the site). Larger captures make more data per run: lower it then.
 */
export const DEFAULT_KEEP_FULL = 20;

/** The fields retention and removal read from an entry. */
export interface LedgerRun {
  id: string;
  benchmark: string;
  branch: string | null;
  timeMs: number;
  keep: boolean;
  status: RunEntry["status"];
  dataPruned: boolean;
  captureHash: string;
  fileName: string;
}

/** Every entry of the ledger, shallowly read (JSON only; a file that does not parse is skipped). */
export function listRuns(contentDir: string): LedgerRun[] {
  const runs: LedgerRun[] = [];
  for (const id of entryIds(contentDir)) {
    try {
      const e = JSON.parse(readEntryText(contentDir, id)) as Partial<OkRunEntry> & { status?: string };
      if (e.id !== id) continue;
      runs.push({
        id: e.id,
        benchmark: String(e.benchmark ?? ""),
        branch: e.branch ?? null,
        timeMs: Number(e.timeMs ?? 0),
        keep: e.meta?.keep === true,
        status: e.status === "ok" ? "ok" : "failed",
        dataPruned: e.dataPruned === true,
        captureHash: String(e.captureHash ?? ""),
        fileName: String(e.fileName ?? ""),
      });
    } catch {
      // An unreadable entry is the loader's to report; retention leaves it alone.
    }
  }
  return runs;
}

/**
 * The ids whose full data retention drops: per benchmark and branch, ok runs ordered newest
 * first (time, then id, so ties are decided the same everywhere), all but the first `keepFull`,
 * minus pinned runs. Pure.
 */
export function runsToPrune(runs: readonly LedgerRun[], keepFull: number): string[] {
  const groups = new Map<string, LedgerRun[]>();
  for (const run of runs) {
    if (run.status !== "ok") continue;
    const key = JSON.stringify([run.benchmark, run.branch]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(run);
  }
  const prune: string[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => b.timeMs - a.timeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    for (const run of group.slice(Math.max(0, keepFull))) if (!run.keep) prune.push(run.id);
  }
  return prune.sort();
}

/** The entry as retention leaves it: the same summary, every data ref null, `dataPruned`. */
export function prunedEntry(entry: OkRunEntry): OkRunEntry {
  const data = Object.fromEntries(Object.keys(entry.data).map((k) => [k, null])) as OkRunEntry["data"];
  return { ...entry, dataPruned: true, data };
}

export interface RetentionResult {
  /** Runs whose data this call dropped. */
  pruned: string[];
}

/** Apply retention to a ledger: drop the data of the runs `runsToPrune` names. */
export function applyRetention(contentDir: string, keepFull = DEFAULT_KEEP_FULL, runs = listRuns(contentDir)): RetentionResult {
  const pruned: string[] = [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const id of runsToPrune(runs, keepFull)) {
    const run = byId.get(id);
    if (run?.dataPruned && !existsSync(runDataDir(contentDir, id))) continue;
    // Read as stored, not through the schema: the pruned entry keeps the entry's own key order.
    const entry = JSON.parse(readEntryText(contentDir, id)) as OkRunEntry;
    if (entry.schemaVersion !== SCHEMA_VERSION || entry.status !== "ok") continue;
    // The entry first: a kill between the two leaves a pruned entry and stray files, never an
    // entry pointing at deleted data.
    if (!entry.dataPruned) writeEntry(contentDir, prunedEntry(entry));
    removeRunData(contentDir, id);
    pruned.push(id);
  }
  if (pruned.length > 0) collectSharedData(contentDir);
  return { pruned };
}

/** Remove runs from the ledger (entry and data). Returns the ids removed. */
export function removeRuns(contentDir: string, select: { ids?: string[]; benchmark?: string }): string[] {
  const runs = listRuns(contentDir);
  const wanted = new Set(select.ids ?? []);
  const removed: string[] = [];
  for (const run of runs) {
    if (!wanted.has(run.id) && !(select.benchmark !== undefined && run.benchmark === select.benchmark)) continue;
    removeRun(contentDir, run.id);
    removed.push(run.id);
  }
  if (removed.length > 0) collectSharedData(contentDir);
  return removed;
}
