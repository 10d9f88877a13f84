/**
 * The analysis stage's entry point: read a capture once and compute every memray view.
 *
 *   const run = analyzeCapture("run.bin", { temporaryAllocationThreshold: 1 });
 */
import type { CaptureTables } from "../reader/index.ts";
import { collectCapture, type CollectedCapture } from "./collect.ts";
import type { SnapshotGroup, TemporalRecord } from "./collector.ts";
import { buildFlameTree, buildInvertedTrees, preorder, type FlameInput, type NativeSymbolizer } from "./flame.ts";
import { memorySamples } from "./memory.ts";
import type { CaptureStats, FlameNode, FlameView, RunAnalysis, TemporalData } from "./model.ts";
import { StatsCollector } from "./stats.ts";
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
}

export const DEFAULT_ANALYZE_OPTIONS = {
  temporaryAllocationThreshold: 1,
  maxMemoryRecords: 10_000,
  biggestAllocs: 200,
} as const;

/** The snapshot groups of one view, merged or split by thread; null when unavailable. */
export function viewGroups(capture: CollectedCapture, view: FlameView, mergeThreads: boolean): SnapshotGroup[] | null {
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

export function flameTree(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; symbolize?: NativeSymbolizer },
): FlameNode | null {
  const groups = viewGroups(capture, view, options.mergeThreads);
  if (groups === null) return null;
  const { builder } = buildFlameTree(capture.tables, groups, {
    mergeThreads: options.mergeThreads,
    threadName: viewThreadName(capture, view),
    symbolize: options.symbolize,
  });
  return builder.root;
}

export function invertedFlameTrees(
  capture: CollectedCapture,
  view: FlameView,
  options: { mergeThreads: boolean; symbolize?: NativeSymbolizer },
): { inverted: FlameNode; invertedNoImports: FlameNode } | null {
  const groups = viewGroups(capture, view, options.mergeThreads);
  if (groups === null) return null;
  const { inverted, noImports } = buildInvertedTrees(capture.tables, groups, {
    mergeThreads: options.mergeThreads,
    threadName: viewThreadName(capture, view),
    symbolize: options.symbolize,
  });
  return { inverted: inverted.root, invertedNoImports: noImports.root };
}

/**
 * Temporal data for memray's `--temporal` graphs (threads merged, so records carry tid 0 and
 * main-thread frames are not trimmed). Node values are left at 0: a client sums the intervals
 * of its chosen time range (see temporal-range.ts).
 */
export function temporalData(
  tables: CaptureTables,
  records: readonly TemporalRecord[],
  highWaterMarkBySnapshot: number[] | null,
  symbolize?: NativeSymbolizer,
): TemporalData {
  const inputs: FlameInput[] = records.map((r) => ({ ...r, sizeBytes: 0, nAllocations: 0 }));
  const { builder, leaves } = buildFlameTree(tables, inputs, { mergeThreads: true, tidOverride: 0, symbolize });
  const { order } = preorder(builder);
  const intervals: TemporalData["intervals"] = [];
  records.forEach((r, i) => {
    const node = order[leaves[i]!]!;
    for (const [a, d, n, bytes] of r.intervals) intervals.push([a, d, node, n, bytes]);
  });
  return { tree: builder.root, intervals, highWaterMarkBySnapshot };
}

/** Read `path` once and build every view. */
export function analyzeCapture(path: string, options: AnalyzeOptions = {}): RunAnalysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  const capture = collectCapture(path, { temporaryAllocationThreshold: opts.temporaryAllocationThreshold, stats: true });
  return analyzeCollected(capture, opts, capture.stats);
}

export function analyzeCollected(
  capture: CollectedCapture,
  options: AnalyzeOptions = {},
  statsCollector: StatsCollector | null = null,
): RunAnalysis {
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, ...options };
  const { header, tables, summary, snapshots, aggregated } = capture;
  const symbolize = opts.symbolize;
  const tree = (view: FlameView, mergeThreads: boolean) => flameTree(capture, view, { mergeThreads, symbolize });
  const inverted = invertedFlameTrees(capture, "peak", { mergeThreads: true, symbolize })!;
  const stats: CaptureStats | null =
    snapshots && statsCollector ? statsCollector.result(tables, { peakMemoryBytes: snapshots.peakMemoryBytes }) : null;
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
    flame: { peak: tree("peak", true), leaks: tree("leaks", true), temporary: tree("temporary", true) },
    flameByThread: { peak: tree("peak", false), leaks: tree("leaks", false), temporary: tree("temporary", false) },
    inverted: inverted.inverted,
    invertedNoImports: inverted.invertedNoImports,
    temporal: snapshots
      ? {
          highWaterMark: temporalData(tables, snapshots.temporalHighWaterMark, snapshots.highWaterMarkBySnapshot, symbolize),
          leaks: temporalData(tables, snapshots.temporalLeaks, null, symbolize),
        }
      : null,
    tree: buildTreeSummary(tables, viewGroups(capture, "peak", false)!, {
      biggestAllocs: opts.biggestAllocs,
      threadName: viewThreadName(capture, "peak"),
      symbolize,
    }),
  };
}
