/**
 * Aggregated captures (docs/capture-format.md §4): each record already carries its location's share of the
 * high-water mark and of the leaks. memray regroups them by (stack id, native id, tid or 0)
 * and, when two records meet, adds their bytes but adds 1 (not the second count) to
 * n_allocations. We copy that quirk so the numbers equal memray's.
 */
import type { AggregatedAllocation } from "../reader/index.ts";
import type { SnapshotGroups } from "./snapshots.ts";

export class AggregatedCollector {
  private readonly records: AggregatedAllocation[] = [];
  readonly memoryTimeMs: number[] = [];
  readonly memoryRssBytes: number[] = [];
  readonly memoryHeapBytes: number[] = [];

  aggregatedAllocation(record: AggregatedAllocation): void {
    this.records.push(record);
  }

  memorySnapshot(timeMs: number, rssBytes: number, heapBytes: number): void {
    this.memoryTimeMs.push(timeMs);
    this.memoryRssBytes.push(rssBytes);
    this.memoryHeapBytes.push(heapBytes);
  }

  /** memray's `peak_memory` for these files: the sum of every record's HWM bytes. */
  get peakMemoryBytes(): number {
    let sum = 0;
    for (const r of this.records) sum += r.bytesInHighWaterMark;
    return sum;
  }

  get leakedBytes(): number {
    let sum = 0;
    for (const r of this.records) if (r.nAllocationsLeaked > 0) sum += r.bytesLeaked;
    return sum;
  }

  highWaterMark(mergeThreads: boolean): SnapshotGroups {
    return this.regroup(mergeThreads, (r) => [r.nAllocationsInHighWaterMark, r.bytesInHighWaterMark]);
  }

  leaks(mergeThreads: boolean): SnapshotGroups {
    return this.regroup(mergeThreads, (r) => [r.nAllocationsLeaked, r.bytesLeaked]);
  }

  private regroup(mergeThreads: boolean, pick: (r: AggregatedAllocation) => [number, number]): SnapshotGroups {
    const groupOf = new Map<string, number>();
    /** Each group's first record, which it shows as. */
    const first: AggregatedAllocation[] = [];
    const sizeBytes: number[] = [];
    const nAllocations: number[] = [];
    for (const r of this.records) {
      const [count, size] = pick(r);
      // Records with no allocations are skipped even when their bytes are not zero.
      if (count === 0) continue;
      const key = `${r.stackId}:${r.nativeId}:${mergeThreads ? 0 : r.tid}`;
      const g = groupOf.get(key);
      if (g === undefined) {
        groupOf.set(key, first.length);
        first.push(r);
        sizeBytes.push(size);
        nAllocations.push(count);
      } else {
        sizeBytes[g]! += size;
        nAllocations[g]! += 1; // memray's quirk (see above)
      }
    }
    return {
      length: first.length,
      locations: {
        tid: Float64Array.from(first, (r) => r.tid),
        stackId: Float64Array.from(first, (r) => r.stackId),
        nativeId: Float64Array.from(first, (r) => r.nativeId),
        generation: Float64Array.from(first, (r) => r.generation),
        allocator: Uint8Array.from(first, (r) => r.allocator),
      },
      loc: Int32Array.from(first, (_, g) => g),
      sizeBytes: Float64Array.from(sizeBytes),
      nAllocations: Float64Array.from(nAllocations),
    };
  }
}
