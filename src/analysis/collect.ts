/**
 * Reading a capture once into the snapshot collectors. The only analysis code that touches the
 * file system (through the reader); everything downstream works on what this returns.
 */
import { FileFormat, readCaptureFile, type ReadOptions, type CaptureHeader, type CaptureTables, type CaptureVisitor, type ReadSummary } from "../reader/index.ts";
import { AggregatedCollector } from "./aggregated.ts";
import { AllocationCollector, type CollectedSnapshots, type CollectorOptions } from "./collector.ts";
import { StatsCollector } from "./stats.ts";

export interface CollectedCapture {
  header: CaptureHeader;
  tables: CaptureTables;
  summary: ReadSummary;
  /** All-allocations files. */
  snapshots: CollectedSnapshots | null;
  /** Aggregated (`--aggregate`) files. */
  aggregated: AggregatedCollector | null;
  /** `memray stats` counters, when asked for (all-allocations files only). */
  stats: StatsCollector | null;
}

/** Extra visitors fed the same records (e.g. the stats collector). */
export type AllocationListener = NonNullable<CaptureVisitor["allocation"]>;

export function collectCapture(
  path: string,
  options: CollectorOptions & { stats?: boolean; read?: ReadOptions } = {},
  listeners: { allocation?: AllocationListener; header?: (header: CaptureHeader) => void } = {},
): CollectedCapture {
  const collector = new AllocationCollector(options);
  const aggregated = new AggregatedCollector();
  const extra = listeners.allocation;
  const visitor: CaptureVisitor = {
    header: (header) => {
      // The collector counts the stats in its own per-record switch and finds the peak for them.
      if (options.stats && header.fileFormat !== FileFormat.AGGREGATED_ALLOCATIONS) {
        collector.stats = new StatsCollector(header, { trackPeak: false });
      }
      listeners.header?.(header);
    },
    // The reader calls this unbound for every record: one closure straight into the collector.
    allocation: extra
      ? (tid, address, size, allocator, stackId, nativeId, generation) => {
          collector.allocation(tid, address, size, allocator, stackId, nativeId, generation);
          extra(tid, address, size, allocator, stackId, nativeId, generation);
        }
      : (tid, address, size, allocator, stackId, nativeId, generation) =>
          collector.allocation(tid, address, size, allocator, stackId, nativeId, generation),
    memoryRecord: (timeMs, rssBytes) => collector.memoryRecord(timeMs, rssBytes),
    memorySnapshot: aggregated.memorySnapshot.bind(aggregated),
    aggregatedAllocation: aggregated.aggregatedAllocation.bind(aggregated),
  };
  const { header, tables, summary } = readCaptureFile(path, visitor, options.read);
  const isAggregated = header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS;
  return {
    header,
    tables,
    summary,
    snapshots: isAggregated ? null : collector.finish(),
    aggregated: isAggregated ? aggregated : null,
    stats: isAggregated ? null : collector.stats,
  };
}
