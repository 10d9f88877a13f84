/**
 * Reading a capture once into the collectors: AllocationCollector (allocation-collector.ts,
 * every view of an all-allocations file), AggregatedCollector (aggregated.ts) and StatsCollector
 * (stats.ts). The only analysis code that touches the file system (through the reader);
 * everything downstream works on what these return.
 *
 * Two reads, one set of rules: `collectCapture` feeds every view (the collector finds the peak
 * and what was live at it), `collectStats` (collect-stats.ts, its own module so that `heaptrail
 * stats` loads no allocation collector) only `memray stats`' figures (the peak tracker needs
 * just address → size, which is what makes `heaptrail stats` fast). Both count the stats with
 * the same StatsCollector and regroup aggregated files with the same AggregatedCollector; the
 * goldens hold both to memray's `stats --json` (test/analysis/stats.test.ts).
 */
import {
  FileFormat,
  readCaptureFile,
  type CaptureHeader,
  type CaptureTables,
  type CaptureVisitor,
  type ReadOptions,
  type ReadSummary,
  type WorkerStage,
} from "../reader/index.ts";
import { AggregatedCollector } from "./aggregated.ts";
import { AllocationCollector, type CollectedSnapshots, type CollectorOptions } from "./allocation-collector.ts";
import type { CaptureStats } from "./model.ts";
import { readResolved, reviveResolved, type ResolvedState } from "./record-resolver.ts";
import { StatsCollector } from "./stats.ts";

export interface CollectedCapture {
  header: CaptureHeader;
  tables: CaptureTables;
  summary: ReadSummary;
  /** All-allocations files. */
  snapshots: CollectedSnapshots | null;
  /** Aggregated (`--aggregate`) files. */
  aggregated: AggregatedCollector | null;
  /** `memray stats`, when asked for (all-allocations files only). */
  stats: CaptureStats | null;
}

export function collectCapture(
  path: string,
  options: CollectorOptions & { stats?: boolean; read?: ReadOptions } = {},
): CollectedCapture {
  const collector = new AllocationCollector(options);
  const aggregated = new AggregatedCollector();
  const visitor: CaptureVisitor = {
    header: (header) => {
      // The collector counts the stats in its own per-record switch and finds the peak for them.
      if (options.stats && header.fileFormat !== FileFormat.AGGREGATED_ALLOCATIONS) {
        collector.stats = new StatsCollector(header);
      }
    },
    // The reader calls this unbound for every record: one closure straight into the collector.
    allocation: (tid, address, size, allocator, stackId, nativeId, generation) =>
      collector.allocation(tid, address, size, allocator, stackId, nativeId, generation),
    memoryRecord: (timeMs, rssBytes) => collector.memoryRecord(timeMs, rssBytes),
    memorySnapshot: aggregated.memorySnapshot.bind(aggregated),
    aggregatedAllocation: aggregated.aggregatedAllocation.bind(aggregated),
  };
  // Read on the decoding thread, the records are resolved there too (resolve-stage.ts), and
  // reach the collector already resolved; its state comes back at the end.
  let front: ResolvedState | undefined;
  const workerStage: WorkerStage = {
    module: new URL(import.meta.url.endsWith(".ts") ? "./resolve-stage.ts" : "./resolve-stage.js", import.meta.url),
    options: collector.stageOptions,
    read: (numbers, i, end) => readResolved(numbers, i, end, collector),
    done: (result) => (front = reviveResolved(result)),
  };
  const { header, tables, summary } = readCaptureFile(path, visitor, { ...options.read, workerStage });
  const isAggregated = header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS;
  const snapshots = isAggregated ? null : collector.finish(front);
  // The figures now, so the counters (three columns by stack id, 24 MB on a real sympy capture)
  // are not held while the views are drawn.
  const stats = snapshots && collector.stats ? collector.stats.result(tables, { peakMemoryBytes: snapshots.peakMemoryBytes }) : null;
  return { header, tables, summary, snapshots, aggregated: isAggregated ? aggregated : null, stats };
}
