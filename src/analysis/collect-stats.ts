/**
 * Reading a capture once for `memray stats` alone: the stats path of collect.ts, in a module of
 * its own so that `heaptrail stats` loads neither the allocation collector nor its views (its
 * imports were 13 ms of CPU at every start).
 */
import { FileFormat, readCaptureFile, type ReadOptions, type CaptureHeader, type CaptureVisitor, type ReadSummary } from "../reader/index.ts";
import { AggregatedCollector } from "./aggregated.ts";
import type { CaptureStats } from "./model.ts";
import { PeakTracker } from "./peak.ts";
import { StatsCollector } from "./stats.ts";

/**
 * `stats` decodes on a worker thread only from this size on (the reader's default is 4 MiB):
 * its per-record work is light, so below this the worker's start and the ring cost more than
 * the overlap gains. generated_pyalloc_x1 (5.7 MB) took 0.43-0.45 s CPU on this thread against
 * 0.49-0.54 s with the worker, and no more wall time (3 runs each, load 2.6).
 */
const STATS_PARALLEL_FROM_BYTES = 16 << 20;

/** `memray stats`' figures of one capture; RunAnalysis has the same fields. */
export interface StatsRun {
  header: CaptureHeader;
  read: ReadSummary;
  /** null for aggregated captures, which memray cannot compute stats from. */
  stats: CaptureStats | null;
  peakMemoryBytes: number;
  /** Bytes still live at the end (aggregated captures; null when not computed). */
  leakedBytes: number | null;
}

/** Read a capture once for `memray stats` (or what an aggregated file supports). */
export function collectStats(path: string, options: { topN?: number; read?: ReadOptions } = {}): StatsRun {
  let counters: StatsCollector | null = null;
  const peak = new PeakTracker();
  const aggregated = new AggregatedCollector(); // --aggregate captures: memray's peak and leak rules
  const visitor: CaptureVisitor = {
    header(header) {
      if (header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS) return;
      const c = new StatsCollector(header);
      counters = c;
      // An arrow, not a bound method: V8 inlines it into the decoder's loop.
      visitor.allocation = (_tid, address, size, allocator, stackId) => {
        peak.allocation(address, size, allocator);
        c.allocation(size, allocator, stackId);
      };
    },
    aggregatedAllocation: (record) => aggregated.aggregatedAllocation(record),
  };
  const read = { parallelFromBytes: STATS_PARALLEL_FROM_BYTES, ...options.read };
  const { header, tables, summary } = readCaptureFile(path, visitor, read);
  const c = counters as StatsCollector | null;
  const stats = c ? c.result(tables, { topN: options.topN, peakMemoryBytes: peak.peakBytes }) : null;
  return {
    header,
    read: summary,
    stats,
    peakMemoryBytes: stats ? stats.peakMemoryBytes : aggregated.peakMemoryBytes,
    leakedBytes: c ? null : aggregated.leakedBytes,
  };
}
