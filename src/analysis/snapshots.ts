/**
 * What the collector's snapshots are made of (docs/capture-format.md §5): groups of locations
 * for the peak, leaks and temporary views, and temporal intervals per location, in memray's
 * orders.
 */
import type { Locations } from "./locations.ts";

/** One group of a snapshot, keyed by (stack id, native id, tid or 0 when merged). */
export interface SnapshotGroup {
  /** The tid of the group's earliest member (memray keeps one member's tid when merging). */
  tid: number;
  stackId: number;
  nativeId: number;
  /** Allocator and map generation of the earliest member. */
  allocator: number;
  generation: number;
  sizeBytes: number;
  nAllocations: number;
  /** Smallest record seq in the group (memray 1.20 orders groups by it). */
  minSeq: number;
}

/** [allocatedBefore, deallocatedBefore | null, nAllocations, nBytes], snapshot numbers. */
export type TemporalInterval = [number, number | null, number, number];

/** Intervals of one temporal location L (threads merged, so tid is 0). */
export interface TemporalRecord {
  tid: number;
  stackId: number;
  nativeId: number;
  generation: number;
  allocator: number;
  intervals: TemporalInterval[];
}

/** Per-location sums, indexed by location id. */
export interface LocationSums {
  size: Float64Array;
  count: Float64Array;
  minSeq: Float64Array;
}

export function emptySums(nLocations: number): LocationSums {
  const n = Math.max(nLocations, 1);
  return { size: new Float64Array(n), count: new Float64Array(n), minSeq: new Float64Array(n).fill(Infinity) };
}

export function addTo(sums: LocationSums, loc: number, sizeBytes: number, seq: number): void {
  sums.size[loc] = sums.size[loc]! + sizeBytes;
  sums.count[loc] = sums.count[loc]! + 1;
  if (seq < sums.minSeq[loc]!) sums.minSeq[loc] = seq;
}

/**
 * Group per-location sums by (stack id, native id, tid or 0). The non-key fields come from the
 * location with the smallest seq; groups come out ordered by that seq (memray 1.20's order).
 */
export function groupLocations(locs: Locations, sums: LocationSums, mergeThreads: boolean): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (let loc = 0; loc < locs.count; loc++) {
    const count = sums.count[loc] ?? 0;
    if (count === 0) continue;
    const tid = locs.tid[loc]!;
    const key = `${locs.stackId[loc]}:${locs.nativeId[loc]}:${mergeThreads ? 0 : tid}`;
    const minSeq = sums.minSeq[loc]!;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, {
        tid,
        stackId: locs.stackId[loc]!,
        nativeId: locs.nativeId[loc]!,
        allocator: locs.allocator[loc]!,
        generation: locs.generation[loc]!,
        sizeBytes: sums.size[loc]!,
        nAllocations: count,
        minSeq,
      });
    } else {
      g.sizeBytes += sums.size[loc]!;
      g.nAllocations += count;
      if (minSeq < g.minSeq) {
        g.minSeq = minSeq;
        g.tid = tid;
        g.allocator = locs.allocator[loc]!;
        g.generation = locs.generation[loc]!;
      }
    }
  }
  return [...groups.values()].sort((a, b) => a.minSeq - b.minSeq);
}

/** memray's order: L field by field (tid, stack, native, generation, allocator), then intervals. */
export function sortTemporal(locs: Locations, byLoc: Map<number, TemporalInterval[]>): TemporalRecord[] {
  const records: TemporalRecord[] = [];
  for (const [loc, intervals] of byLoc) {
    intervals.sort((a, b) => a[0] - b[0] || nullFirst(a[1], b[1]) || a[3] - b[3]);
    records.push({
      tid: locs.tid[loc]!,
      stackId: locs.stackId[loc]!,
      nativeId: locs.nativeId[loc]!,
      generation: locs.generation[loc]!,
      allocator: locs.allocator[loc]!,
      intervals,
    });
  }
  records.sort(
    (a, b) =>
      a.tid - b.tid ||
      a.stackId - b.stackId ||
      a.nativeId - b.nativeId ||
      a.generation - b.generation ||
      a.allocator - b.allocator,
  );
  return records;
}

function nullFirst(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}
