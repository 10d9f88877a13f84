/**
 * Writing one run: its entry (ledger.ts places and writes it) and its large data as static files
 * in the run's data folder (copied to the site as-is and fetched lazily by the page). Every file
 * is written atomically.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { topCallSites } from "../analysis/call-sites.ts";
import { DEFAULT_ANALYZE_OPTIONS } from "../analysis/analyze.ts";
import type { FlameColumns, RunAnalysis } from "../analysis/model.ts";
import { FileFormat, PYTHON_ALLOCATOR_NAMES } from "../reader/index.ts";
import { encodeTemporal, encodeTree } from "./columnar.ts";
import { collectGarbageIfLarge } from "./gc.ts";
import { writeJson } from "./json-chunks.ts";
import { dataFilePath, dataRefPath, readEntry, removeRunData, runDataDir, writeEntry } from "./ledger.ts";
import { benchmarkFromFileName } from "./provenance.ts";
import {
  DEFAULT_MIN_FRAME_FRACTION,
  SCHEMA_VERSION,
  type ColumnarTreeColumns,
  type DataRef,
  type FailedRunEntry,
  type MemoryFile,
  type OkRunEntry,
  type RunEntry,
  type RunMeta,
  type SourceFile,
} from "./schema.ts";

export interface WriteRunOptions {
  runId: string;
  captureHash: string;
  meta: RunMeta;
  /** The capture's file name, shown on the site. Defaults to `<runId>.bin`. */
  fileName?: string;
  /** Default "content". */
  contentDir?: string;
  /** Keep source lines out of the site. */
  noSource?: boolean;
  /** Folders relative frame file names are looked up in (the capture's folder, the cwd). */
  sourceRoots?: string[];
  minFrameFraction?: number;
  /** Size of the capture file, shown on the page. */
  fileSizeBytes?: number;
  /** Time for the history axis when the meta has no timestamp (e.g. the capture's mtime). */
  fallbackTimeMs?: number;
  /** The threshold the analysis ran with, shown on the page. Default: the analysis's default. */
  temporaryAllocationThreshold?: number;
}

/** Lines of context kept around each frame's line, for the tree side panel. */
const SOURCE_CONTEXT_LINES = 3;

/** Write `value`'s JSON to `path` atomically (temp file, then rename): a data file of any size; returns the bytes written. */
function writeJsonAtomic(path: string, value: unknown): number {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, "w");
  let bytes = 0;
  try {
    writeJson(value, (chunk) => {
      for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
      bytes += chunk.length;
    });
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return bytes;
}

/**
 * What a run's content is made from besides the schema: the capture, its metadata and every
 * setting that changes what is written. Turning on `noSource` must rewrite a run that has source.
 * Nothing of the machine goes in (no absolute folder): the same capture, metadata and settings
 * give the same entry, byte for byte, wherever they are ingested.
 */
export function buildDigest(options: WriteRunOptions): string {
  const inputs = [
    options.captureHash,
    options.meta,
    options.noSource ?? false,
    options.minFrameFraction ?? DEFAULT_MIN_FRAME_FRACTION,
  ];
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** True when the run's entry was written by this schema from these same inputs. */
export function isUpToDate(contentDir: string, options: WriteRunOptions): boolean {
  const entry = readEntry(contentDir, options.runId);
  if (entry === null || entry.status !== "ok" || entry.schemaVersion !== SCHEMA_VERSION || entry.buildDigest !== buildDigest(options)) {
    return false;
  }
  // An entry without its data files (a build killed or raced between the two) is not up to date.
  const contentRoot = options.contentDir ?? "content";
  return Object.values(entry.data).every((ref) => ref === null || existsSync(dataFilePath(contentRoot, ref)));
}

/**
 * The resolved fields every entry carries: benchmark (meta, else from the file name),
 * branch, commit, and the time on the history axis (meta timestamp, else `fallbackTimeMs`).
 */
export function resolvedFields(options: WriteRunOptions, captureStartMs?: number): Pick<RunEntry, "benchmark" | "branch" | "commit" | "timeMs"> {
  const { meta, runId } = options;
  const fileName = options.fileName ?? `${runId}.bin`;
  const stamp = meta.timestamp ? Date.parse(meta.timestamp) : NaN;
  const fallback = captureStartMs ?? options.fallbackTimeMs ?? 0;
  return {
    benchmark: meta.benchmark || benchmarkFromFileName(fileName) || runId,
    branch: meta.branch ?? null,
    commit: meta.commit ?? null,
    timeMs: Number.isFinite(stamp) ? stamp : Number.isFinite(fallback) ? fallback : 0,
  };
}

export function writeFailedRun(error: unknown, options: WriteRunOptions): FailedRunEntry {
  const { runId, captureHash, meta, fileName, contentDir = "content" } = options;
  const entry: FailedRunEntry = {
    schemaVersion: SCHEMA_VERSION,
    id: runId,
    fileName: fileName ?? `${runId}.bin`,
    captureHash,
    buildDigest: buildDigest(options),
    meta,
    ...resolvedFields(options),
    status: "failed",
    error: error instanceof Error ? error.message : String(error),
  };
  removeRunData(contentDir, runId);
  writeEntry(contentDir, entry);
  return entry;
}

function pythonVersionString(hex: number | null): string | null {
  if (hex === null || hex === 0) return null;
  return `${(hex >>> 24) & 0xff}.${(hex >>> 16) & 0xff}.${(hex >>> 8) & 0xff}`;
}

function threadLabels(tree: FlameColumns | null): string[] {
  // In a split-by-thread tree every path starts in one thread: the root's children name them all.
  if (tree === null) return [];
  const labels = new Set<string>();
  for (let i = 1; i < tree.size; i++) if (tree.parent[i] === 0) labels.add(tree.threads[tree.thread[i]!]!);
  return [...labels].sort();
}

/** Write a run's entry and data files; returns the entry. */
export function writeRun(analysis: RunAnalysis, options: WriteRunOptions): OkRunEntry {
  const { runId, contentDir = "content" } = options;
  const minFrameFraction = options.minFrameFraction ?? DEFAULT_MIN_FRAME_FRACTION;
  // The run's data files go to a fresh staging folder that replaces the old one whole, so
  // a rewrite leaves no stale file behind (a source.json after --no-source, say).
  const finalDir = runDataDir(contentDir, runId);
  const dataDir = `${finalDir}.staging`;
  rmSync(dataDir, { recursive: true, force: true });
  const wanted: WantedLines = new Map();

  const write = (name: string, value: unknown, nodes?: { nodes: number; totalNodes: number }): DataRef => {
    const sizeBytes = writeJsonAtomic(join(dataDir, name), value);
    return { path: dataRefPath(runId, name), sizeBytes, ...nodes };
  };
  const writeTree = (name: string, columns: FlameColumns | null, prune = true): DataRef | null => {
    if (columns === null) return null;
    const tree = encodeTree(columns, { minFrameFraction: prune ? minFrameFraction : 0 });
    wantTreeLines(wanted, tree);
    return write(name, tree, { nodes: tree.parent.length, totalNodes: tree.totalNodes });
  };

  collectGarbageIfLarge(); // the analysis' garbage goes before the data files are made
  const threads = threadLabels(analysis.flameByThread.peak);
  const split = threads.length > 1;
  const temporal = analysis.temporal;
  const data: OkRunEntry["data"] = {
    peak: writeTree("peak.json", analysis.flame.peak),
    leaks: writeTree("leaks.json", analysis.flame.leaks),
    temporary: writeTree("temporary.json", analysis.flame.temporary),
    peakByThread: split ? writeTree("peak-by-thread.json", analysis.flameByThread.peak) : null,
    leaksByThread: split ? writeTree("leaks-by-thread.json", analysis.flameByThread.leaks) : null,
    temporaryByThread: split ? writeTree("temporary-by-thread.json", analysis.flameByThread.temporary) : null,
    inverted: writeTree("inverted.json", analysis.inverted),
    invertedNoImports: writeTree("inverted-no-imports.json", analysis.invertedNoImports),
    temporalHighWaterMark: temporal
      ? write("temporal-hwm.json", encodeTemporal(temporal.highWaterMark, "highWaterMark", minFrameFraction))
      : null,
    temporalLeaks: temporal ? write("temporal-leaks.json", encodeTemporal(temporal.leaks, "leaks", minFrameFraction)) : null,
    memory: analysis.memory.length > 0 ? write("memory.json", memoryFile(analysis)) : null,
    // The tree summary is already cut to the biggest allocations: no pruning.
    tree: writeTree("tree.json", analysis.tree, false),
    source: null,
  };
  if (!options.noSource) {
    const roots = options.sourceRoots ?? [process.cwd()];
    const source = readWantedLines(wanted, roots);
    if (Object.keys(source.files).length > 0) data.source = write("source.json", source);
  }

  const entry = okRunEntry(analysis, options, data);
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(dataDir, finalDir);
  writeEntry(contentDir, entry);
  return entry;
}

/** The data refs of a run without data files (analysed in memory and never written). */
export const NO_DATA: Readonly<OkRunEntry["data"]> = {
  peak: null,
  leaks: null,
  temporary: null,
  peakByThread: null,
  leaksByThread: null,
  temporaryByThread: null,
  inverted: null,
  invertedNoImports: null,
  temporalHighWaterMark: null,
  temporalLeaks: null,
  memory: null,
  tree: null,
  source: null,
};

/**
 * A run's entry from its analysis: its summary figures and `data`, the refs of its data files
 * (NO_DATA for a run that is compared in memory and never written).
 */
export function okRunEntry(analysis: RunAnalysis, options: WriteRunOptions, data: Readonly<OkRunEntry["data"]>): OkRunEntry {
  const { header, read, stats } = analysis;
  return {
    schemaVersion: SCHEMA_VERSION,
    id: options.runId,
    fileName: options.fileName ?? `${options.runId}.bin`,
    captureHash: options.captureHash,
    buildDigest: buildDigest(options),
    meta: options.meta,
    ...resolvedFields(options, header.startTimeMs),
    status: "ok",
    header: {
      version: header.version,
      pythonVersion: pythonVersionString(header.pythonVersion),
      nativeTraces: header.nativeTraces,
      aggregated: header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS,
      commandLine: header.commandLine,
      pid: header.pid,
      pythonAllocator: PYTHON_ALLOCATOR_NAMES[header.pythonAllocator] ?? `unknown (${header.pythonAllocator})`,
      tracePythonAllocators: header.tracePythonAllocators,
      startTimeMs: header.startTimeMs,
      endTimeMs: header.endTimeMs,
    },
    durationMs: Math.max(0, header.endTimeMs - header.startTimeMs),
    complete: read.complete,
    readWarning: read.warning,
    fileSizeBytes: options.fileSizeBytes ?? null,
    peakMemoryBytes: analysis.peakMemoryBytes,
    leakedBytes: analysis.leakedBytes,
    totalBytesAllocated: stats?.totalBytesAllocated ?? null,
    nAllocations: stats?.totalNumAllocations ?? null,
    stats,
    threads: threadLabels(analysis.flameByThread.peak),
    minFrameFraction: options.minFrameFraction ?? DEFAULT_MIN_FRAME_FRACTION,
    topCallSites: topCallSites(analysis.flame.peak),
    dataPruned: false,
    temporaryAllocationThreshold: options.temporaryAllocationThreshold ?? DEFAULT_ANALYZE_OPTIONS.temporaryAllocationThreshold,
    data,
  };
}

function memoryFile(analysis: RunAnalysis): MemoryFile {
  return {
    schemaVersion: SCHEMA_VERSION,
    timeMs: analysis.memory.map((m) => m.timeMs),
    rssBytes: analysis.memory.map((m) => m.rssBytes),
    heapBytes: analysis.memory.map((m) => m.heapBytes),
  };
}

/** Source files larger than this are not read (a frame's file is a Python module). */
const MAX_SOURCE_BYTES = 2 << 20;

/**
 * The path of a frame's source file on this machine, or null when it may not be published.
 * File names come from the capture and are untrusted: only regular, world-readable `.py` files
 * are read, and a relative name must stay inside its root, so a hostile capture naming
 * `/etc/shadow` or `../../.ssh/id_rsa` gets nothing.
 */
export function sourcePath(filename: string, roots: string[]): string | null {
  if (!filename.endsWith(".py") || filename.includes("\0")) return null;
  const candidates = isAbsolute(filename)
    ? [filename]
    : roots.flatMap((root) => {
        const base = resolve(root);
        const path = resolve(base, filename);
        return path.startsWith(base + sep) ? [path] : [];
      });
  for (const path of candidates) {
    try {
      const st = statSync(path);
      if (st.isFile() && st.size <= MAX_SOURCE_BYTES && (st.mode & 0o004) !== 0) return path;
    } catch {
      // not there: try the next root
    }
  }
  return null;
}

/** The lines frames point at, by file name, files in the order first pointed at. */
type WantedLines = Map<string, Set<number>>;

/** Frame (filename, lineno) is wanted: not a pseudo-file ("<string>") nor a line ≤ 0. */
function wantLine(wanted: WantedLines, filename: string, lineno: number): void {
  if (!filename || lineno <= 0 || filename.startsWith("<")) return;
  let set = wanted.get(filename);
  if (!set) wanted.set(filename, (set = new Set()));
  set.add(lineno);
}

/** A written tree's lines, one Map lookup per file name rather than an object per node. */
function wantTreeLines(wanted: WantedLines, tree: ColumnarTreeColumns): void {
  const byName: Array<Set<number> | undefined> = [];
  for (let i = 0; i < tree.parent.length; i++) {
    const id = tree.filename[i]!;
    const lineno = tree.lineno[i]!;
    const set = byName[id];
    if (set !== undefined && lineno > 0) set.add(lineno);
    else if (set === undefined) {
      wantLine(wanted, tree.strings[id]!, lineno);
      byName[id] = wanted.get(tree.strings[id]!);
    }
  }
}

/** Read the lines frames point at (and a few around them) from files found on this machine. */
export function collectSource(frames: Iterable<{ filename: string; lineno: number }>, roots: string[]): SourceFile {
  const wanted: WantedLines = new Map();
  for (const { filename, lineno } of frames) wantLine(wanted, filename, lineno);
  return readWantedLines(wanted, roots);
}

function readWantedLines(wanted: WantedLines, roots: string[]): SourceFile {
  const files: SourceFile["files"] = {};
  for (const [filename, lines] of wanted) {
    const path = sourcePath(filename, roots);
    if (!path) continue;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const all = text.split(/\r?\n/);
    const keep: Record<string, string> = {};
    for (const line of lines) {
      for (let l = Math.max(1, line - SOURCE_CONTEXT_LINES); l <= Math.min(all.length, line + SOURCE_CONTEXT_LINES); l++) {
        keep[String(l)] = all[l - 1]!;
      }
    }
    files[filename] = keep;
  }
  return { schemaVersion: SCHEMA_VERSION, files };
}
