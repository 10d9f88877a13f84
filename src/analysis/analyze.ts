/**
 * The analysis stage's entry point: read a capture once and compute every memray view.
 *
 *   const run = analyzeCapture("run.bin", { temporaryAllocationThreshold: 1 });
 */
import type { CaptureTables, ReadOptions } from "../reader/index.ts";
import { collectCapture, type CollectedCapture } from "./collect.ts";
import type { SnapshotGroups, TemporalSet } from "./snapshots.ts";
import { buildFlameTree, buildInvertedTrees, flameColumns, markRunnerFrames, relabelled, type FlameTreeBuilder, type NativeSymbolizer } from "./flame.ts";
import { threadLabel } from "./frames.ts";
import { memorySamples, memoryStride } from "./memory.ts";
import type { FlameColumns, FlameView, RunAnalysis, TemporalData, TemporalIntervals } from "./model.ts";
import { buildTreeSummary } from "./tree-summary.ts";

export interface AnalyzeOptions {
  /** `--temporary-allocation-threshold N`; memray's `--temporary-allocations` is 1. Default 1. */
  temporaryAllocationThreshold?: number;
  /** `--max-memory-records`: memory samples kept (every stride-th). Default 10 000. */
  maxMemoryRecords?: number;
  /** `memray tree -b`: groups drawn in the tree summary. Default 200. */
  biggestAllocs?: number;
  /** Native captures: symbols for native frames (enables memray's hybrid stacks). Default none. */
  symbolize?: NativeSymbolizer;
  /**
   * Native captures: makes the symbolizer once the capture's tables are read (e.g. src/symbols'
   * `nativeSymbols()`, so `ingest` symbolizes with one option). Ignored when `symbolize` is
   * given or the capture has no native traces. Default none.
   */
  symbolizerFor?: (tables: CaptureTables) => NativeSymbolizer;
  /** How the capture is read (chunk size, the worker-thread threshold): the reader's defaults. */
  read?: ReadOptions;
}

export const DEFAULT_ANALYZE_OPTIONS = {
  temporaryAllocationThreshold: 1,
  maxMemoryRecords: 10_000,
  biggestAllocs: 200,
} as const;

/** The snapshot groups of one view, merged or split by thread; null when unavailable. */
export function viewGroups(capture: CollectedCapture, view: FlameView, mergeThreads: boolean): SnapshotGroups | null {
  const s = capture.snapshots;
  const a = capture.aggregated;
  if (view === "peak") return s ? (mergeThreads ? s.highWaterMark : s.highWaterMarkByThread) : a!.highWaterMark(mergeThreads);
  if (view === "leaks") return s ? (mergeThreads ? s.leaks : s.leaksByThread) : a!.leaks(mergeThreads);
  return s ? (mergeThreads ? s.temporary : s.temporaryByThread) : null;
}

/**
 * Thread names as memray shows them in a view: the high-water mark report reads records only up
 * to the peak, so a name given later does not show there.
 */
export function viewThreadName(capture: CollectedCapture, view: FlameView): (tid: number) => string | null {
  const beforeSeq = view === "peak" && capture.snapshots ? capture.snapshots.peakSeq : Number.POSITIVE_INFINITY;
  const cache = new Map<number, string | null>();
  return (tid) => {
    if (!cache.has(tid)) cache.set(tid, capture.tables.threadName(tid, beforeSeq));
    return cache.get(tid)!;
  };
}

function flameBuilder(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; symbolize?: NativeSymbolizer },
): FlameTreeBuilder | null {
  const groups = viewGroups(capture, view, options.mergeThreads);
  if (groups === null) return null;
  const { builder } = buildFlameTree(capture.tables, groups, {
    mergeThreads: options.mergeThreads,
    threadName: viewThreadName(capture, view),
    symbolize: options.symbolize,
  });
  return builder;
}

/**
 * The split-threads tree of a view. When every group of the view comes from one thread, the
 * groups are the merged view's, so the tree is the merged tree (`merged`, built with the same
 * options) with that thread's label: its columns shared, not rebuilt.
 */
function flameColumnsByThread(
  capture: CollectedCapture,
  view: FlameView,
  merged: FlameColumns | null,
  options: { symbolize?: NativeSymbolizer },
): FlameColumns | null {
  const groups = viewGroups(capture, view, false);
  if (groups === null) return null;
  const tids = groups.locations.tid;
  const tid = groups.length > 0 ? tids[groups.loc[0]!]! : undefined;
  let oneThread = viewGroups(capture, view, true)!.length === groups.length;
  for (let i = 1; i < groups.length && oneThread; i++) oneThread = tids[groups.loc[i]!] === tid;
  if (merged !== null && oneThread) {
    return relabelled(merged, tid === undefined ? "" : threadLabel(tid, viewThreadName(capture, view)(tid)));
  }
  return flameBuilder(capture, view, { mergeThreads: false, symbolize: options.symbolize })?.preorder().tree ?? null;
}

function invertedBuilders(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; symbolize?: NativeSymbolizer },
): { inverted: FlameTreeBuilder; noImports: FlameTreeBuilder } | null {
  const groups = viewGroups(capture, view, options.mergeThreads);
  if (groups === null) return null;
  return buildInvertedTrees(capture.tables, groups, {
    mergeThreads: options.mergeThreads,
    threadName: viewThreadName(capture, view),
    symbolize: options.symbolize,
  });
}

/** A view's flame tree, or its inverted tree, as preorder columns (the command line's JSON). */
export function viewTree(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; inverted?: boolean; symbolize?: NativeSymbolizer },
): FlameColumns | null {
  const builder = options.inverted ? invertedBuilders(capture, view, options)?.inverted : flameBuilder(capture, view, options);
  return builder?.preorder().tree ?? null;
}

/** A view's inverted tree and memray's `inverted_no_imports` variant, as preorder columns. */
export function invertedTrees(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; symbolize?: NativeSymbolizer },
): { inverted: FlameColumns; invertedNoImports: FlameColumns } | null {
  const built = invertedBuilders(capture, view, options);
  return built && { inverted: built.inverted.preorder().tree, invertedNoImports: built.noImports.preorder().tree };
}

/**
 * Temporal data for memray's `--temporal` graphs (threads merged, so records carry tid 0 and
 * main-thread frames are not trimmed, so memray's launcher frames are marked not interesting).
 * Node values are left at 0: a client sums the intervals of its chosen time range (site/temporal.ts).
 */
export function temporalData(
  tables: CaptureTables,
  set: TemporalSet,
  highWaterMarkBySnapshot: number[] | null,
  symbolize?: NativeSymbolizer,
): TemporalData {
  const { builder, leaves } = buildFlameTree(tables, set.records, { mergeThreads: true, tidOverride: 0, symbolize });
  const { tree, preorderOf } = builder.preorder();
  markRunnerFrames(tree, tables.skippedFramesOnMainTid);
  // The set's columns are in record order already: only each record's node is new.
  const intervals: TemporalIntervals = {
    length: set.allocatedBefore.length,
    starts: set.starts,
    recordNode: leaves.map((leaf) => preorderOf[leaf]!),
    allocatedBefore: set.allocatedBefore,
    deallocatedBefore: set.deallocatedBefore,
    nAllocations: set.nAllocations,
    nBytes: set.nBytes,
  };
  return { tree, intervals, highWaterMarkBySnapshot };
}

/** Read `path` once and build every view. */
export function analyzeCapture(path: string, options: AnalyzeOptions = {}): RunAnalysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  const collect = (boundaryStride: number) =>
    collectCapture(path, { temporaryAllocationThreshold: opts.temporaryAllocationThreshold, boundaryStride, stats: true, read: opts.read });
  let capture = collect(1);
  // Past `maxMemoryRecords` samples memray's temporal snapshots are every stride-th sample, and
  // the stride is known only at the end: such a long capture (> 100 s at memray's 10 ms) is read
  // once more with it. Only the temporal data differs between the two reads.
  const stride = memoryStride(capture.snapshots?.memoryTimeMs.length ?? 0, opts.maxMemoryRecords);
  if (stride > 1) capture = collect(stride);
  return analyzeCollected(capture, opts);
}

/** Every view of a collected capture; stats when it was collected with `stats: true`. */
export function analyzeCollected(capture: CollectedCapture, options: AnalyzeOptions = {}): RunAnalysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  const { header, tables, summary, snapshots, aggregated, stats } = capture;
  const symbolize = opts.symbolize ?? (header.nativeTraces && opts.symbolizerFor ? opts.symbolizerFor(tables) : undefined);
  // One view at a time: its builder's tables are dropped once its columns are made.
  const views = (view: FlameView): { merged: FlameColumns | null; byThread: FlameColumns | null } => {
    const merged = flameBuilder(capture, view, { mergeThreads: true, symbolize })?.preorder().tree ?? null;
    return { merged, byThread: flameColumnsByThread(capture, view, merged, { symbolize }) };
  };
  // The inverted trees first: the biggest builder (a real sympy capture's inverted tree is 2.2M
  // nodes, the others together under 1.2M) peaks while no other tree is held yet.
  const inverted = invertedTrees(capture, "peak", { mergeThreads: true, symbolize })!;
  const peak = views("peak");
  const leaks = views("leaks");
  const temporary = views("temporary");
  const memory = snapshots
    ? memorySamples(snapshots.memoryTimeMs, snapshots.memoryRssBytes, snapshots.memoryHeapBytes, opts.maxMemoryRecords)
    : memorySamples(aggregated!.memoryTimeMs, aggregated!.memoryRssBytes, aggregated!.memoryHeapBytes, opts.maxMemoryRecords);
  return {
    header,
    read: summary,
    threadNames: tables.threadNames(),
    peakMemoryBytes: snapshots ? snapshots.peakMemoryBytes : aggregated!.peakMemoryBytes,
    leakedBytes: snapshots ? snapshots.leakedBytes : aggregated!.leakedBytes,
    stats,
    memory,
    flame: { peak: peak.merged, leaks: leaks.merged, temporary: temporary.merged },
    flameByThread: { peak: peak.byThread, leaks: leaks.byThread, temporary: temporary.byThread },
    inverted: inverted.inverted,
    invertedNoImports: inverted.invertedNoImports,
    temporal: snapshots
      ? {
          highWaterMark: temporalData(tables, snapshots.temporalHighWaterMark, snapshots.highWaterMarkBySnapshot, symbolize),
          leaks: temporalData(tables, snapshots.temporalLeaks, null, symbolize),
        }
      : null,
    tree: flameColumns(
      buildTreeSummary(tables, viewGroups(capture, "peak", false)!, {
        biggestAllocs: opts.biggestAllocs,
        threadName: viewThreadName(capture, "peak"),
        symbolize,
      }),
    ),
  };
}
