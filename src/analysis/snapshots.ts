/**
 * What the collector's snapshots are made of (docs/capture-format.md §5): groups of locations
 * for the peak, leaks and temporary views, and temporal intervals per location, in memray's
 * orders.
 */
import { release, resized } from "../shared/typed-arrays.ts";
import type { CountColumn, IntColumn, SnapshotColumn } from "./model.ts";
import { widen, type LocationColumns, type LocationTable, type Locations } from "./locations.ts";

/**
 * A snapshot's groups as columns, in memray's order: group i is keyed by (stack id, native id,
 * tid or 0 when merged) and shows as location `loc[i]` of `locations`, its earliest member
 * (memray keeps one member's tid, allocator and map generation when it merges), with the group's
 * sums. Temporal records are groups too, with no sums (null: every value 0; a client sums their
 * intervals). As one object each, a real sympy capture's 472k groups and 758k temporal records
 * were 123 MB of its 128 MB heap after collect.
 */
export interface SnapshotGroups {
  length: number;
  locations: LocationColumns;
  loc: Int32Array;
  sizeBytes: Float64Array | null;
  nAllocations: Float64Array | null;
}

/** Group i as an object (tests, the command line's small outputs). */
export function groupAt(groups: SnapshotGroups, i: number): {
  tid: number;
  stackId: number;
  nativeId: number;
  generation: number;
  allocator: number;
  sizeBytes: number;
  nAllocations: number;
} {
  const l = groups.loc[i]!;
  const c = groups.locations;
  return {
    tid: c.tid[l]!,
    stackId: c.stackId[l]!,
    nativeId: c.nativeId[l]!,
    generation: c.generation[l]!,
    allocator: c.allocator[l]!,
    sizeBytes: groups.sizeBytes?.[i] ?? 0,
    nAllocations: groups.nAllocations?.[i] ?? 0,
  };
}

/** Every group as an object (tests). */
export function groupRows(groups: SnapshotGroups): Array<ReturnType<typeof groupAt>> {
  return Array.from({ length: groups.length }, (_, i) => groupAt(groups, i));
}

/** [allocatedBefore, deallocatedBefore | null, nAllocations, nBytes], snapshot numbers. */
export type TemporalInterval = [number, number | null, number, number];

/**
 * Temporal intervals of every location, as columns in memray's order (records in order, each
 * record's intervals contiguous): millions on a high-cardinality capture, where a tuple each
 * held most of the collector's heap (~95 bytes an interval).
 */
export interface TemporalSet {
  /** One temporal location L each (threads merged, so tid 0), in memray's order; no sums. */
  records: SnapshotGroups;
  /** Record r's intervals are [starts[r], starts[r + 1]) of the columns. */
  starts: Int32Array;
  allocatedBefore: SnapshotColumn;
  /** −1: still live at the end (memray's null, which sorts first). */
  deallocatedBefore: SnapshotColumn;
  nAllocations: CountColumn;
  nBytes: IntColumn;
}

/** Record `r`'s intervals as tuples (tests and small captures). */
export function intervalsOf(set: TemporalSet, r: number): TemporalInterval[] {
  const out: TemporalInterval[] = [];
  for (let i = set.starts[r]!; i < set.starts[r + 1]!; i++) {
    const d = set.deallocatedBefore[i]!;
    out.push([set.allocatedBefore[i]!, d === -1 ? null : d, set.nAllocations[i]!, set.nBytes[i]!]);
  }
  return out;
}

/**
 * How a builder knows each interval's deallocatedBefore, which it does not keep per interval
 * while the capture is read (2 bytes an interval, 15 MB of generated_pyalloc_x16's 7.4M):
 * - "as-added": the value given to `add`, kept as runs of equal values (the leak buckets: a
 *   snapshot's are all made in it, so there is a run per snapshot);
 * - "next-of-location": the allocatedBefore of the location's next interval in the order added,
 *   −1 for its last (the high-water runs: a run lasts until its location's next one starts).
 * `finish` makes the column.
 */
export type Deallocation = "as-added" | "next-of-location";

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
  /**
   * The narrowest columns their values fit, widened as they go: snapshot numbers Int16 (else
   * Int32), counts Int16 (an interval mostly counts a few allocations) and byte sums Int32, else
   * Int32 and Float64 (a count passes 2^31 only past 2^31 records). At full width they were 24
   * bytes an interval, 200 MB of generated_pyalloc_x16's 7.4M intervals (and their slack) at the
   * end of the read; now 12. Sums go through addCount and addBytes, which widen first.
   */
  allocatedBefore: SnapshotColumn = new Int16Array(1024);
  /** Made by `finish` (see Deallocation). */
  private deallocatedBefore: SnapshotColumn = new Int16Array(0);
  nAllocations: CountColumn = new Int16Array(1024);
  nBytes: IntColumn = new Int32Array(1024);
  private readonly deallocation: Deallocation;
  /** "as-added": where each run of equal deallocatedBefore values starts, and its value. */
  private readonly runStart: number[] = [];
  private readonly runValue: number[] = [];

  constructor(deallocation: Deallocation) {
    this.deallocation = deallocation;
  }

  /**
   * An interval of merged location `loc`; `deallocatedBefore` −1 for still live (ignored by
   * "next-of-location"). Its index.
   */
  add(loc: number, allocatedBefore: number, deallocatedBefore: number, nAllocations: number, nBytes: number): number {
    const at = this.length++;
    if (at >= this.loc.length) {
      const n = this.loc.length * 2;
      this.loc = resized(this.loc, n);
      this.allocatedBefore = resized(this.allocatedBefore, n);
      this.nAllocations = resized(this.nAllocations, n);
      this.nBytes = resized(this.nBytes, n);
    }
    if ((allocatedBefore << 16) >> 16 !== allocatedBefore) this.allocatedBefore = Int32Array.from(this.allocatedBefore);
    if ((nAllocations << 16) >> 16 !== nAllocations) this.nAllocations = fitting(this.nAllocations, nAllocations);
    if ((nBytes | 0) !== nBytes) this.nBytes = widen(this.nBytes);
    this.loc[at] = loc;
    this.allocatedBefore[at] = allocatedBefore;
    this.nAllocations[at] = nAllocations;
    this.nBytes[at] = nBytes;
    if (this.deallocation === "as-added" && this.runValue.at(-1) !== deallocatedBefore) {
      this.runStart.push(at);
      this.runValue.push(deallocatedBefore);
    }
    return at;
  }

  /** The deallocatedBefore column, in the order added (see Deallocation). */
  private deallocationColumn(locationCount: number): SnapshotColumn {
    const n = this.length;
    if (this.deallocation === "as-added") {
      const narrow = this.runValue.every((v) => (v << 16) >> 16 === v);
      const db = narrow ? new Int16Array(n) : new Int32Array(n);
      for (let r = 0; r < this.runStart.length; r++) db.fill(this.runValue[r]!, this.runStart[r]!, this.runStart[r + 1] ?? n);
      return db;
    }
    // Backwards, each location's next allocatedBefore (−1: none yet); its values are allocatedBefore's, so its type fits.
    const { loc, allocatedBefore: ab } = this;
    const next = new Int32Array(locationCount).fill(-1);
    const db = new (ab.constructor as new (n: number) => SnapshotColumn)(n);
    for (let i = n - 1; i >= 0; i--) {
      db[i] = next[loc[i]!]!;
      next[loc[i]!] = ab[i]!;
    }
    release(next);
    return db;
  }

  /** Add `count` to interval `at`'s nAllocations. */
  addCount(at: number, count: number): void {
    const v = this.nAllocations[at]! + count;
    if ((v << 16) >> 16 !== v) this.nAllocations = fitting(this.nAllocations, v);
    this.nAllocations[at] = v;
  }

  /** Add `sizeBytes` to interval `at`'s nBytes. */
  addBytes(at: number, sizeBytes: number): void {
    const v = this.nBytes[at]! + sizeBytes;
    if ((v | 0) !== v) this.nBytes = widen(this.nBytes);
    this.nBytes[at] = v;
  }

  /**
   * memray's order: L field by field (tid, stack, native, generation, allocator), then each L's
   * intervals by (allocatedBefore, deallocatedBefore with null first, nBytes); ties keep the
   * order added. The set's columns are this builder's, sorted: the builder is spent. `locs` is
   * the merged table (Locations.mergedTable) its locations are in.
   */
  finish(locs: LocationTable): TemporalSet {
    const n = this.length;
    this.deallocatedBefore = this.deallocationColumn(locs.count);
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
    const sorted = byLocationKey(order, locs);
    sorted.forEach((l, rank) => (rankOf[l] = rank));
    const starts = new Int32Array(order.length + 1);
    for (let i = 0; i < n; i++) starts[rankOf[loc[i]!]! + 1]!++;
    for (let r = 0; r < order.length; r++) starts[r + 1]! += starts[r]!;
    const inOrder = this.byRecordInOrder(rankOf, starts);
    const from = inOrder ?? this.sortedOrder(rankOf, starts);
    release(loc);
    this.loc = new Int32Array(0);
    // Each column scattered into its sorted copy, one at a time (one copy is the only extra):
    // read in order, each value written to its place (`to`, from's inverse). Gathered, a random
    // read each, the four columns were 0.3 s of generated_pyalloc_x16's finish; permuted in
    // place, cycle by cycle, 1.1 s.
    const to = new Int32Array(n);
    for (let k = 0; k < n; k++) to[from[k]!] = k;
    this.allocatedBefore = scatter(this.allocatedBefore, to);
    this.deallocatedBefore = scatter(this.deallocatedBefore, to);
    // In order, a record's allocatedBefore never repeats: nothing ties.
    if (inOrder === null) this.breakTies(starts, from, to);
    this.nAllocations = scatter(this.nAllocations, to);
    this.nBytes = scatter(this.nBytes, to);
    release(from);
    release(to);
    return {
      // `locs` is a merged table: tid is 0 in every location.
      records: { length: sorted.length, locations: locs, loc: sorted, sizeBytes: null, nAllocations: null },
      starts,
      allocatedBefore: this.allocatedBefore,
      deallocatedBefore: this.deallocatedBefore,
      nAllocations: this.nAllocations,
      nBytes: this.nBytes,
    };
  }

  /**
   * The sorted order in one stable pass by record, when each record's intervals were added with
   * allocatedBefore strictly increasing (the high-water runs are: a location's next run starts
   * at a later snapshot), else null. The three passes of sortedOrder were 0.2 s of
   * generated_pyalloc_x16's 3.5M high-water runs.
   */
  private byRecordInOrder(rankOf: Int32Array, starts: Int32Array): Int32Array | null {
    const n = this.length;
    const { loc, allocatedBefore: ab } = this;
    const records = starts.length - 1;
    const last = new Int32Array(records).fill(-1);
    for (let i = 0; i < n; i++) {
      const r = rankOf[loc[i]!]!;
      if (ab[i]! <= last[r]!) return null;
      last[r] = ab[i]!;
    }
    const fill = starts.slice(0, records);
    const from = new Int32Array(n);
    for (let i = 0; i < n; i++) from[fill[rankOf[loc[i]!]!]!++] = i;
    return from;
  }

  /**
   * Sorted position k takes interval from[k]: by (record, allocatedBefore, deallocatedBefore) in
   * three stable counting passes, least significant first (snapshot numbers are small
   * non-negative ints, −1 aside); breakTies orders runs tied on all three. A comparison sort of
   * each record's run was 0.6 s of generated_pyalloc_x16's 7.4M intervals.
   */
  private sortedOrder(rankOf: Int32Array, starts: Int32Array): Int32Array {
    const n = this.length;
    const { loc, allocatedBefore: ab, deallocatedBefore: db } = this;
    let maxSnapshot = 0;
    for (let i = 0; i < n; i++) maxSnapshot = Math.max(maxSnapshot, ab[i]!, db[i]!);
    const pos = new Int32Array(maxSnapshot + 2);
    const byDealloc = new Int32Array(n);
    for (let i = 0; i < n; i++) pos[db[i]! + 1]!++;
    prefixSums(pos);
    for (let i = 0; i < n; i++) byDealloc[pos[db[i]! + 1]!++] = i;
    pos.fill(0);
    const byAlloc = new Int32Array(n);
    for (let k = 0; k < n; k++) pos[ab[byDealloc[k]!]!]!++;
    prefixSums(pos);
    for (let k = 0; k < n; k++) byAlloc[pos[ab[byDealloc[k]!]!]!++] = byDealloc[k]!;
    const from = byDealloc;
    const records = starts.length - 1;
    const fill = starts.slice(0, records);
    for (let k = 0; k < n; k++) {
      const i = byAlloc[k]!;
      from[fill[rankOf[loc[i]!]!]!++] = i;
    }
    return from;
  }

  /**
   * Runs tied on (record, allocatedBefore, deallocatedBefore) ordered by nBytes (stable), in
   * `from` and its inverse `to`, once the first two columns are sorted: the runs are found in
   * them in order.
   */
  private breakTies(starts: Int32Array, from: Int32Array, to: Int32Array): void {
    const { allocatedBefore: ab, deallocatedBefore: db, nBytes: bytes } = this;
    for (let r = 0; r + 1 < starts.length; r++) {
      const hi = starts[r + 1]!;
      for (let lo = starts[r]!; lo < hi; ) {
        let end = lo + 1;
        let sorted = true;
        while (end < hi && ab[end] === ab[lo] && db[end] === db[lo]) {
          sorted &&= bytes[from[end - 1]!]! <= bytes[from[end]!]!;
          end++;
        }
        if (!sorted) {
          from.set(Array.from(from.subarray(lo, end)).sort((i, j) => bytes[i]! - bytes[j]!), lo);
          for (let k = lo; k < end; k++) to[from[k]!] = k;
        }
        lo = end;
      }
    }
  }
}

/**
 * Locations `ids` ordered by their key, field by field (tid, stack, native, generation,
 * allocator): a stable LSD radix sort, least significant field first, each field's offsets from
 * its minimum 16 bits at a time (ids are integers below 2^53; a field of one value is skipped).
 * The comparison sort of generated_cardinality's 1M locations took 0.35 s. Keys are distinct
 * (each location is interned once), so any correct sort gives the same order.
 */
function byLocationKey(ids: readonly number[], locs: LocationTable): Int32Array {
  const n = ids.length;
  let from = Int32Array.from(ids);
  let to = new Int32Array(n);
  const pos = new Int32Array(DIGIT + 1);
  for (const field of [locs.allocator, locs.generation, locs.nativeId, locs.stackId, locs.tid]) {
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < n; k++) {
      const v = field[from[k]!]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let scale = 1; scale <= max - min; scale *= DIGIT) {
      pos.fill(0);
      for (let k = 0; k < n; k++) pos[(Math.floor((field[from[k]!]! - min) / scale) % DIGIT) + 1]!++;
      for (let d = 0; d < DIGIT; d++) pos[d + 1]! += pos[d]!;
      for (let k = 0; k < n; k++) to[pos[Math.floor((field[from[k]!]! - min) / scale) % DIGIT]!++] = from[k]!;
      [from, to] = [to, from];
    }
  }
  return from;
}

/** The radix of byLocationKey's passes: 16 bits. */
const DIGIT = 1 << 16;

/** `column`, or its copy in the next wider type that holds `v`: Int16, Int32, Float64. */
function fitting(column: CountColumn, v: number): CountColumn {
  if (column instanceof Int16Array) {
    if ((v << 16) >> 16 === v) return column;
    const wider = Int32Array.from(column);
    release(column);
    column = wider;
  }
  return column instanceof Int32Array && (v | 0) !== v ? widen(column) : column;
}

/** `column[i]` at `to[i]`. */
function scatter<T extends Int16Array | Int32Array | Float64Array>(column: T, to: Int32Array): T {
  const out = new (column.constructor as new (n: number) => T)(to.length);
  for (let i = 0; i < to.length; i++) out[to[i]!] = column[i]!;
  release(column);
  return out;
}

/** Counts to start positions, in place. */
function prefixSums(a: Int32Array): void {
  let sum = 0;
  for (let k = 0; k < a.length; k++) {
    const c = a[k]!;
    a[k] = sum;
    sum += c;
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
 * Group per-location sums by (stack id, native id, tid or 0). A group shows as its member with the
 * smallest seq; groups come out ordered by that seq (memray 1.20's order). Groups are found
 * through an open-addressing table of group numbers: string keys in a Map were 690k strings per
 * view on a real sympy capture.
 */
export function groupLocations(locs: Locations, sums: LocationSums, mergeThreads: boolean): SnapshotGroups {
  let n = 0;
  for (let loc = 0; loc < locs.count; loc++) if (sums.count[loc]! > 0) n++;
  let bits = 4;
  while (1 << bits < n * 2) bits++;
  const mask = (1 << bits) - 1;
  /** Group number + 1 per slot (0: empty). */
  const slots = new Int32Array(1 << bits);
  const rep = new Int32Array(n);
  const size = new Float64Array(n);
  const count = new Float64Array(n);
  const minSeq = new Float64Array(n);
  const { tid, stackId, nativeId } = locs;
  let groups = 0;
  for (let loc = 0; loc < locs.count; loc++) {
    const c = sums.count[loc]!;
    if (!(c > 0)) continue;
    const t = mergeThreads ? 0 : tid[loc]!;
    const s = stackId[loc]!;
    const nat = nativeId[loc]!;
    let i = groupHash(s, nat, t) & mask;
    let g: number;
    for (;;) {
      g = slots[i]! - 1;
      if (g < 0) {
        g = groups++;
        slots[i] = g + 1;
        rep[g] = loc;
        size[g] = sums.size[loc]!;
        count[g] = c;
        minSeq[g] = sums.minSeq[loc]!;
        break;
      }
      const r = rep[g]!;
      if (stackId[r] === s && nativeId[r] === nat && (mergeThreads || tid[r] === t)) {
        size[g] = size[g]! + sums.size[loc]!;
        count[g] = count[g]! + c;
        const m = sums.minSeq[loc]!;
        if (m < minSeq[g]!) {
          minSeq[g] = m;
          rep[g] = loc;
        }
        break;
      }
      i = (i + 1) & mask;
    }
  }
  // Stable: ties keep the order of first appearance, as the Map's insertion order did.
  const order = Array.from({ length: groups }, (_, g) => g).sort((a, b) => minSeq[a]! - minSeq[b]!);
  const loc = new Int32Array(groups);
  const sizeBytes = new Float64Array(groups);
  const nAllocations = new Float64Array(groups);
  order.forEach((g, k) => {
    loc[k] = rep[g]!;
    sizeBytes[k] = size[g]!;
    nAllocations[k] = count[g]!;
  });
  return { length: groups, locations: locs, loc, sizeBytes, nAllocations };
}

/** A hash of a group key (stack id, native id, tid), ids of any size. */
function groupHash(stackId: number, nativeId: number, tid: number): number {
  let h = Math.imul(stackId ^ ((stackId / 2 ** 32) | 0), 0x9e3779b1);
  h = Math.imul(h ^ nativeId ^ ((nativeId / 2 ** 32) | 0), 0x85ebca6b);
  h = Math.imul(h ^ tid ^ ((tid / 2 ** 32) | 0), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}
