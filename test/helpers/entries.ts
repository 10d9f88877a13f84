/**
 * Run entries and flame nodes for tests that need a ledger's or an analysis's shapes without a
 * capture: every field has a plain default, and a test names only what it is about.
 */
import type { FlameNode } from "../../src/analysis/model.ts";
import { SCHEMA_VERSION, type FailedRunEntry, type OkRunEntry } from "../../src/content/schema.ts";
import { NO_DATA } from "../../src/content/write.ts";

/** The fields every entry has, for a run of benchmark "bench" on main. */
function commonFields(id: string): Pick<FailedRunEntry, "schemaVersion" | "id" | "fileName" | "captureHash" | "buildDigest" | "meta" | "benchmark" | "branch"> {
  return { schemaVersion: SCHEMA_VERSION, id, fileName: `${id}.bin`, captureHash: "h", buildDigest: "d", meta: {}, benchmark: "bench", branch: "main" };
}

export type OkEntryFields = Partial<Omit<OkRunEntry, "header">> & { header?: Partial<OkRunEntry["header"]> };

/**
 * An ok run of benchmark "bench" on main at 2026-11-01, 50 MB at peak, nothing leaked, a header 13
 * capture of Python 3.11.2 (pymalloc), no data files; the commit is the id padded with zeros.
 */
export function okEntry(id: string, fields: OkEntryFields = {}): OkRunEntry {
  const { header, ...rest } = fields;
  return {
    ...commonFields(id),
    commit: id.padEnd(40, "0"),
    timeMs: Date.UTC(2026, 10, 1),
    status: "ok",
    header: {
      version: 13,
      pythonVersion: "3.11.2",
      nativeTraces: false,
      aggregated: false,
      commandLine: "python bench.py",
      pid: 1,
      pythonAllocator: "pymalloc",
      tracePythonAllocators: false,
      startTimeMs: 0,
      endTimeMs: 1,
      ...header,
    },
    durationMs: 1,
    complete: true,
    readWarning: null,
    fileSizeBytes: 1,
    peakMemoryBytes: 50_000_000,
    leakedBytes: 0,
    totalBytesAllocated: null,
    nAllocations: 10,
    stats: null,
    threads: [],
    minFrameFraction: 0,
    temporaryAllocationThreshold: 1,
    topCallSites: [],
    dataPruned: false,
    data: { ...NO_DATA },
    ...rest,
  };
}

/**
 * A pytest-style run: `benchmark` (a test id) at `peakMemoryBytes`, on main, `day` days after
 * 2026-11-01, its commit made from the day (so runs of one day share a commit).
 */
export function dayEntry(benchmark: string, peakMemoryBytes: number, day: number, meta: OkRunEntry["meta"] = {}): OkRunEntry {
  const id = `${benchmark.replace(/[^a-z0-9]+/gi, "_")}-${day}`;
  return okEntry(id, {
    benchmark,
    meta,
    commit: String(day).padStart(40, "c"),
    timeMs: Date.UTC(2026, 10, 1) + day * 86_400_000,
    peakMemoryBytes,
    totalBytesAllocated: peakMemoryBytes,
    nAllocations: 1,
    header: { version: 12, pythonVersion: "3.12.1", commandLine: "pytest" },
  });
}

/** A failed run of benchmark "bench" on main (its capture could not be read). */
export function failedEntry(id: string, fields: Partial<FailedRunEntry> = {}): FailedRunEntry {
  return {
    ...commonFields(id),
    commit: null,
    timeMs: 0,
    status: "failed",
    error: "bad",
    ...fields,
  };
}

/**
 * A flame node of `app.py:1` in the merged thread, interesting, not the import system: one
 * allocation, and the bytes of its children (0 for a leaf) unless `fields` says otherwise.
 */
export function flameNode(fn: string, fields: Partial<FlameNode> = {}, children: FlameNode[] = []): FlameNode {
  return {
    function: fn,
    filename: "app.py",
    lineno: 1,
    thread: "merged",
    valueBytes: children.reduce((sum, c) => sum + c.valueBytes, 0),
    nAllocations: 1,
    interesting: true,
    importSystem: false,
    children,
    ...fields,
  };
}
