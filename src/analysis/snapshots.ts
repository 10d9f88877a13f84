/**
 * What the collector's snapshots are made of (docs/capture-format.md §5): groups of locations
 * for the peak, leaks and temporary views, and temporal intervals per location, in memray's
 * orders.
 */
import { growColumn, growF64, growI32, widen, type Locations } from "./locations.ts";

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

/**
 * One temporal location L (threads merged, so tid is 0): its intervals are [start, end) of its
 * set's columns. It is the temporal tree's flame input as it is (values 0: a client sums the
 * intervals), so a million locations need no second object each.
 */
export interface TemporalRecord {
  tid: number;
  stackId: number;
  nativeId: number;
  generation: number;
  allocator: number;
  start: number;
  end: number;
  sizeBytes: 0;
  nAllocations: 0;
}

/**
 * A TemporalRecord whose constant fields (tid, sizeBytes, nAllocations: 0 in every one) are on
 * the prototype. As object literals, generated_cardinality's 1.65M records held 281 MB of heap
 * after collect; as these, 142-155 MB.
 */
class MergedRecord implements TemporalRecord {
  stackId: number;
  nativeId: number;
  generation: number;
  allocator: number;
  start: number;
  end: number;

  constructor(stackId: number, nativeId: number, generation: number, allocator: number, start: number, end: number) {
    this.stackId = stackId;
    this.nativeId = nativeId;
    this.generation = generation;
    this.allocator = allocator;
    this.start = start;
    this.end = end;
  }

  get tid(): number {
    return 0;
  }

  get sizeBytes(): 0 {
    return 0;
  }

  get nAllocations(): 0 {
    return 0;
  }
}

/**
 * Temporal intervals of every location, as columns in memray's order (records in order, each
 * record's intervals contiguous): millions on a high-cardinality capture, where a tuple each
 * held most of the collector's heap (~95 bytes an interval).
 */
export interface TemporalSet {
  records: TemporalRecord[];
  allocatedBefore: Int32Array;
  /** −1: still live at the end (memray's null, which sorts first). */
  deallocatedBefore: Int32Array;
  /** Int32 while every count fits (see TemporalBuilder). */
  nAllocations: Int32Array | Float64Array;
  nBytes: Float64Array;
}

/** Record `r`'s intervals as tuples (tests and small captures). */
export function intervalsOf(set: TemporalSet, r: TemporalRecord): TemporalInterval[] {
  const out: TemporalInterval[] = [];
  for (let i = r.start; i < r.end; i++) {
    const d = set.deallocatedBefore[i]!;
    out.push([set.allocatedBefore[i]!, d === -1 ? null : d, set.nAllocations[i]!, set.nBytes[i]!]);
  }
  return out;
}

/**
 * Intervals per merged location, in any order, as growable columns; `finish` puts them in memray's
 * order, in place. The temporal collectors keep their own state in it (leak buckets, high-water
 * runs) and add to its columns directly, so the set is never a second copy of what they held:
 * with that copy and the sort's own columns, finish() took a 24M-record capture's RSS from 314
 * to 613 MB (in place: 352 to 369).
 */
export class TemporalBuilder {
  length = 0;
  loc = new Int32Array(1024);
  allocatedBefore = new Int32Array(1024);
  deallocatedBefore = new Int32Array(1024);
  /**
   * Int32 while every count fits, else widened to Float64 (a count is bounded by the records, so
   * only past 2^31 of them): Float64 was 30 MB more of generated_pyalloc_x16's 7.4M intervals.
   * Sums go through addCount, which widens first.
   */
  nAllocations: Int32Array | Float64Array = new Int32Array(1024);
  nBytes = new Float64Array(1024);

  /** An interval of merged location `loc`; `deallocatedBefore` −1 for still live. Its index. */
  add(loc: number, allocatedBefore: number, deallocatedBefore: number, nAllocations: number, nBytes: number): number {
    const at = this.length++;
    if (at >= this.loc.length) {
      const n = this.loc.length * 2;
      this.loc = growI32(this.loc, n);
      this.allocatedBefore = growI32(this.allocatedBefore, n);
      this.deallocatedBefore = growI32(this.deallocatedBefore, n);
      this.nAllocations = growColumn(this.nAllocations, n);
      this.nBytes = growF64(this.nBytes, n);
    }
    if ((nAllocations | 0) !== nAllocations) this.nAllocations = widen(this.nAllocations);
    this.loc[at] = loc;
    this.allocatedBefore[at] = allocatedBefore;
    this.deallocatedBefore[at] = deallocatedBefore;
    this.nAllocations[at] = nAllocations;
    this.nBytes[at] = nBytes;
    return at;
  }

  /** Add `count` to interval `at`'s nAllocations. */
  addCount(at: number, count: number): void {
    const v = this.nAllocations[at]! + count;
    if ((v | 0) !== v) this.nAllocations = widen(this.nAllocations);
    this.nAllocations[at] = v;
  }

  /**
   * memray's order: L field by field (tid, stack, native, generation, allocator), then each L's
   * intervals by (allocatedBefore, deallocatedBefore with null first, nBytes); ties keep the
   * order added. Records are placed by a counting sort, then each record's run is sorted only
   * when it is not in order already (the high-water mark's always is). The set's columns are
   * this builder's, permuted in place: the builder is spent. `locs` is the merged table
   * (Locations.mergedTable) its locations are in.
   */
  finish(locs: Locations): TemporalSet {
    const n = this.length;
    const loc = this.loc;
    // Locations in first-appearance order, then sorted (stable) into records. A column per
    // location rather than a Map: a Map of a million locations was most of this function's time.
    const rankOf = new Int32Array(locs.count).fill(-1);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      const l = loc[i]!;
      if (rankOf[l] === -1) {
        rankOf[l] = order.length;
        order.push(l);
      }
    }
    order.sort(
      (a, b) =>
        locs.tid[a]! - locs.tid[b]! ||
        locs.stackId[a]! - locs.stackId[b]! ||
        locs.nativeId[a]! - locs.nativeId[b]! ||
        locs.generation[a]! - locs.generation[b]! ||
        locs.allocator[a]! - locs.allocator[b]!,
    );
    order.forEach((l, rank) => (rankOf[l] = rank));
    const starts = new Int32Array(order.length + 1);
    for (let i = 0; i < n; i++) starts[rankOf[loc[i]!]! + 1]!++;
    for (let r = 0; r < order.length; r++) starts[r + 1]! += starts[r]!;
    const fill = starts.slice(0, order.length);
    /** Sorted position k takes interval from[k]. */
    const from = new Int32Array(n);
    for (let i = 0; i < n; i++) from[fill[rankOf[loc[i]!]!]!++] = i;
    const ab = this.allocatedBefore;
    const db = this.deallocatedBefore;
    const count = this.nAllocations;
    const bytes = this.nBytes;
    const cmp = (i: number, j: number): number => ab[i]! - ab[j]! || db[i]! - db[j]! || bytes[i]! - bytes[j]!;
    for (let r = 0; r < order.length; r++) {
      const lo = starts[r]!;
      const hi = starts[r + 1]!;
      let sorted = true;
      for (let k = lo + 1; k < hi && sorted; k++) sorted = cmp(from[k - 1]!, from[k]!) <= 0;
      if (!sorted) from.set(Array.from(from.subarray(lo, hi)).sort(cmp), lo);
    }
    // Apply the permutation cycle by cycle; a done position gets from[k] = k.
    for (let k = 0; k < n; k++) {
      if (from[k] === k) continue;
      const a0 = ab[k]!;
      const d0 = db[k]!;
      const c0 = count[k]!;
      const b0 = bytes[k]!;
      let j = k;
      for (;;) {
        const i = from[j]!;
        from[j] = j;
        if (i === k) break;
        ab[j] = ab[i]!;
        db[j] = db[i]!;
        count[j] = count[i]!;
        bytes[j] = bytes[i]!;
        j = i;
      }
      ab[j] = a0;
      db[j] = d0;
      count[j] = c0;
      bytes[j] = b0;
    }
    this.loc = new Int32Array(0);
    return {
      // `locs` is a merged table: tid is 0 in every location.
      records: order.map(
        (l, r) => new MergedRecord(locs.stackId[l]!, locs.nativeId[l]!, locs.generation[l]!, locs.allocator[l]!, starts[r]!, starts[r + 1]!),
      ),
      // Views, as content/columnar.ts returns its merged columns: the capacity past `n` (at most
      // the last doubling's, ~14 MB on generated_cardinality) costs less than trimmed copies would
      // at the peak.
      allocatedBefore: ab.subarray(0, n),
      deallocatedBefore: db.subarray(0, n),
      nAllocations: count.subarray(0, n),
      nBytes: bytes.subarray(0, n),
    };
  }
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

