/**
 * Run entries, flame nodes and decoded data-file trees for tests that need a ledger's, an
 * analysis's or a page's shapes without a capture: every field has a plain default, and a test
 * names only what it is about.
 */
import type { FlameNode } from "../../src/analysis/model.ts";
import { decodeTree, type TreeData } from "../../src/content/columnar.ts";
import { NodeFlag, type ColumnarTree } from "../../src/content/shapes.ts";
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

/** One node of `decodedTree`: its parent's index (−1 for the root), then what differs from the defaults. */
export interface TreeRow {
  parent: number;
  fn: string;
  file?: string;
  line?: number;
  /** Default "0x1". */
  thread?: string;
  /** Default 100. */
  bytes?: number;
  /** Default 1. */
  count?: number;
  /** NodeFlag bits; default INTERESTING. */
  flags?: number;
  /** Unresolved native frame: "image+0xoffset". */
  native?: string;
}

/** A data file's tree (ColumnarTree) of these rows, in preorder, decoded as the browser does. */
export function decodedTree(rows: readonly TreeRow[]): TreeData {
  const strings: string[] = [];
  const id = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const native: Record<string, string> = {};
  rows.forEach((r, i) => {
    if (r.native !== undefined) native[String(i)] = r.native;
  });
  const tree: ColumnarTree = {
    schemaVersion: SCHEMA_VERSION,
    strings,
    parent: rows.map((r) => r.parent),
    function: rows.map((r) => id(r.fn)),
    filename: rows.map((r) => id(r.file ?? "")),
    lineno: rows.map((r) => r.line ?? 0),
    thread: rows.map((r) => id(r.thread ?? "0x1")),
    valueBytes: rows.map((r) => r.bytes ?? 100),
    nAllocations: rows.map((r) => r.count ?? 1),
    flags: rows.map((r) => r.flags ?? NodeFlag.INTERESTING),
    otherFrames: {},
    minFrameFraction: 0,
    totalNodes: rows.length,
    ...(Object.keys(native).length > 0 ? { native } : {}),
  };
  return decodeTree(tree);
}
