/**
 * Reading a capture once into the snapshot collectors. The only analysis code that touches the
 * file system (through the reader); everything downstream works on what this returns.
 */
import { FileFormat, readCaptureFile, type CaptureHeader, type CaptureTables, type CaptureVisitor, type ReadSummary } from "../reader/index.ts";
import { AggregatedCollector } from "./aggregated.ts";
import { AllocationCollector, type CollectedSnapshots, type CollectorOptions } from "./collector.ts";

export interface CollectedCapture {
  header: CaptureHeader;
  tables: CaptureTables;
  summary: ReadSummary;
  /** All-allocations files. */
  snapshots: CollectedSnapshots | null;
  /** Aggregated (`--aggregate`) files. */
  aggregated: AggregatedCollector | null;
}

/** Extra visitors fed the same records (e.g. the stats collector). */
export type AllocationListener = NonNullable<CaptureVisitor["allocation"]>;

export function collectCapture(
  path: string,
  options: CollectorOptions = {},
  listeners: { allocation?: AllocationListener; header?: (header: CaptureHeader) => void } = {},
): CollectedCapture {
  const collector = new AllocationCollector(options);
  const aggregated = new AggregatedCollector();
  const extra = listeners.allocation;
  const visitor: CaptureVisitor = {
    header: listeners.header,
    allocation: extra
      ? (tid, address, size, allocator, stackId, nativeId, generation) => {
          collector.allocation(tid, address, size, allocator, stackId, nativeId, generation);
          extra(tid, address, size, allocator, stackId, nativeId, generation);
        }
      : collector.allocation.bind(collector),
    memoryRecord: collector.memoryRecord.bind(collector),
    memorySnapshot: aggregated.memorySnapshot.bind(aggregated),
    aggregatedAllocation: aggregated.aggregatedAllocation.bind(aggregated),
  };
  const { header, tables, summary } = readCaptureFile(path, visitor);
  const isAggregated = header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS;
  return {
    header,
    tables,
    summary,
    snapshots: isAggregated ? null : collector.finish(),
    aggregated: isAggregated ? aggregated : null,
  };
}
