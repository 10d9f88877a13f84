/**
 * One streaming pass over a capture's allocation records that yields every snapshot memray
 * computes (§5.1–5.4): the high-water mark, leaks, temporary allocations and the temporal
 * intervals (high-water mark and leaks), plus the memory timeline.
 *
 * memray replays the records up to the peak a second time; we cannot, so after each new peak
 * we log the first change to each address (its entry as it was at the peak) and keep the mmap
 * range list the peak saw. At the end, undoing the log on the live table gives the peak state.
 * Memory grows with live allocations, distinct locations and memory samples, not records.
 */
import { ALLOCATOR_KIND } from "../reader/index.ts";
import { EpochAddressSet, LiveTable } from "./livetable.ts";
import { growF64, growI32, Locations } from "./locations.ts";
import { PieceKind, unmapRange, type MappedRange } from "./ranges.ts";

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

export interface CollectorOptions {
  /** `--temporary-allocation-threshold N` (memray's `--temporary-allocations` is 1). Default 1. */
  temporaryAllocationThreshold?: number;
}

export interface CollectedSnapshots {
  peakMemoryBytes: number;
  /** Seq of the record after which memory peaked (ties go to the latest record). */
  peakSeq: number;
  leakedBytes: number;
  /** Snapshot groups per location id, to regroup merged or split (see groupLocations). */
  highWaterMark: SnapshotGroup[];
  highWaterMarkByThread: SnapshotGroup[];
  leaks: SnapshotGroup[];
  leaksByThread: SnapshotGroup[];
  temporary: SnapshotGroup[];
  temporaryByThread: SnapshotGroup[];
  temporalLeaks: TemporalRecord[];
  temporalHighWaterMark: TemporalRecord[];
  highWaterMarkBySnapshot: number[];
  /** Every memory record seen: time, RSS, heap (§5.1 `current`) at that point. */
  memoryTimeMs: number[];
  memoryRssBytes: number[];
  memoryHeapBytes: number[];
  nAllocationRecords: number;
}

/** Temporal high-water mark bookkeeping per location (§5.4 b). */
interface PeakHistory {
  snap: number;
  peak: number;
  contribCount: number;
  contribBytes: number;
  sinceCount: number;
  sinceBytes: number;
  /** Flat triples (asOfSnapshot, count, bytes). */
  runs: number[];
}

const TWO_26 = 2 ** 26;

/** Per-thread ring buffer of the last N+1 allocations (§5.3). */
interface RecentAllocations {
  head: number;
  length: number;
  address: Float64Array;
  sizeBytes: Float64Array;
  loc: Int32Array;
  seq: Float64Array;
}

export class AllocationCollector {
  readonly locations = new Locations();
  private readonly live = new LiveTable();
  private ranges: MappedRange[] = [];
  private seq = 0;

  // §5.1 peak finder and the undo log back to the latest peak.
  private currentBytes = 0;
  private peakBytes = 0;
  private peakSeq = 0;
  private peakRanges: MappedRange[] = [];
  private readonly undoSeen = new EpochAddressSet();
  private undoLength = 0;
  private undoAddress = new Float64Array(1024);
  private undoPresent = new Uint8Array(1024);
  private undoSize = new Float64Array(1024);
  private undoSeq = new Float64Array(1024);
  private undoLoc = new Int32Array(1024);

  // §5.3 temporary allocations, summed per location.
  private readonly threshold: number;
  private readonly recent = new Map<number, RecentAllocations>();
  private lastRecentTid = -1;
  private lastRecent: RecentAllocations | null = null;
  private tempSize = new Float64Array(256);
  private tempCount = new Float64Array(256);
  private tempMinSeq = new Float64Array(256).fill(Infinity);

  // §5.4 temporal state: boundaries are applied lazily, at the next allocation, because memray
  // ignores memory records after the last allocation.
  private pendingBoundaries = 0;
  private boundaries = 0;
  private heapBytes = 0;
  private lastPeakBytes = 0;
  private peakCount = 0;
  private readonly hwmIndex: number[] = [];
  private readonly hwmBytes: number[] = [];
  private readonly histories: Array<PeakHistory | undefined> = [];
  /** Temporal leaks: per merged location, (allocatedBefore·2^26 + deallocatedBefore) → sums. */
  private readonly leakHistograms: Array<Map<number, number> | undefined> = [];
  private histCount: number[] = [];
  private histBytes: number[] = [];

  private readonly memoryTimeMs: number[] = [];
  private readonly memoryRssBytes: number[] = [];
  private readonly memoryHeapBytes: number[] = [];

  constructor(options: CollectorOptions = {}) {
    this.threshold = options.temporaryAllocationThreshold ?? 1;
    if (!(this.threshold >= 0) || !Number.isInteger(this.threshold)) {
      throw new RangeError(`temporary allocation threshold must be a non-negative integer, got ${this.threshold}`);
    }
  }

  // TODO: every memory record is a temporal boundary here, which is memray's behaviour only up to
  // `maxMemoryRecords` samples. Beyond that memray keeps every stride-th record as a boundary, and
  // the stride is known only at the end; the temporal intervals of such captures do not match.
  memoryRecord(timeMs: number, rssBytes: number): void {
    this.memoryTimeMs.push(timeMs);
    this.memoryRssBytes.push(rssBytes);
    this.memoryHeapBytes.push(this.currentBytes);
    this.pendingBoundaries++;
  }

  allocation(
    tid: number,
    address: number,
    sizeBytes: number,
    allocator: number,
    stackId: number,
    nativeId: number,
    generation: number,
  ): void {
    const seq = this.seq++;
    while (this.pendingBoundaries > 0) {
      this.pendingBoundaries--;
      this.boundary();
    }
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === 0) {
      const loc = this.locations.intern(tid, stackId, nativeId, generation, allocator);
      this.logUndo(address, this.live.find(address));
      this.live.set(address, sizeBytes, seq, loc, this.boundaries);
      this.currentBytes += sizeBytes;
      this.peakDelta(this.locations.merged[loc]!, 1, sizeBytes);
      this.rememberRecent(tid, address, sizeBytes, loc, seq);
    } else if (kind === 1) {
      const slot = this.live.find(address);
      if (slot >= 0) {
        this.logUndo(address, slot);
        const size = this.live.sizeBytes[slot]!;
        const merged = this.locations.merged[this.live.loc[slot]!]!;
        this.currentBytes -= size;
        this.leakDealloc(merged, 1, size, this.live.gen[slot]!);
        this.peakDelta(merged, -1, -size);
        this.live.removeSlot(slot);
      }
      this.matchTemporary(tid, address, -1);
    } else if (kind === 2) {
      const loc = this.locations.intern(tid, stackId, nativeId, generation, allocator);
      if (sizeBytes > 0) {
        this.ranges = this.ranges === this.peakRanges ? this.ranges.slice() : this.ranges;
        this.ranges.push({ start: address, end: address + sizeBytes, loc, seq, gen: this.boundaries, identity: seq });
      }
      this.currentBytes += sizeBytes;
      this.peakDelta(this.locations.merged[loc]!, 1, sizeBytes);
      this.rememberRecent(tid, address, sizeBytes, loc, seq);
    } else if (kind === 3) {
      this.unmap(address, sizeBytes);
      this.matchTemporary(tid, address, sizeBytes);
    }
    if (this.currentBytes >= this.peakBytes) {
      this.peakBytes = this.currentBytes;
      this.peakSeq = seq;
      this.undoSeen.clear();
      this.undoLength = 0;
      this.peakRanges = this.ranges;
    }
  }

  private unmap(address: number, sizeBytes: number): void {
    const { ranges, pieces, removedBytes } = unmapRange(this.ranges, address, sizeBytes);
    if (pieces.length === 0) return;
    this.ranges = ranges;
    this.currentBytes -= removedBytes;
    for (const piece of pieces) {
      const r = piece.range;
      const merged = this.locations.merged[r.loc]!;
      // A piece ends an allocation only if nothing else of its mmap remains (§5.4 a).
      let refs = 0;
      for (const k of ranges) if (k.identity === r.identity) refs++;
      for (const p of pieces) if (p.range.identity === r.identity) refs++;
      this.leakDealloc(merged, refs === 1 ? 1 : 0, piece.sizeBytes, r.gen);
      const count = piece.kind === PieceKind.FREED ? -1 : piece.kind === PieceKind.SHRUNK ? 0 : 1;
      this.peakDelta(merged, count, -piece.sizeBytes);
    }
  }

  // ----- §5.1 undo log -----

  /** Remember `address`'s entry as the peak saw it (`slot` is its live slot, or −1). */
  private logUndo(address: number, slot: number): void {
    if (!this.undoSeen.add(address)) return;
    const i = this.undoLength++;
    if (i >= this.undoAddress.length) {
      const n = this.undoAddress.length * 2;
      this.undoAddress = growF64(this.undoAddress, n);
      this.undoSize = growF64(this.undoSize, n);
      this.undoSeq = growF64(this.undoSeq, n);
      this.undoLoc = growI32(this.undoLoc, n);
      const p = new Uint8Array(n);
      p.set(this.undoPresent);
      this.undoPresent = p;
    }
    this.undoAddress[i] = address;
    if (slot >= 0) {
      this.undoPresent[i] = 1;
      this.undoSize[i] = this.live.sizeBytes[slot]!;
      this.undoSeq[i] = this.live.seq[slot]!;
      this.undoLoc[i] = this.live.loc[slot]!;
    } else {
      this.undoPresent[i] = 0;
    }
  }

  // ----- §5.3 temporary allocations -----

  private recentFor(tid: number): RecentAllocations {
    if (tid === this.lastRecentTid && this.lastRecent !== null) return this.lastRecent;
    let r = this.recent.get(tid);
    if (r === undefined) {
      const cap = this.threshold + 1;
      r = {
        head: 0,
        length: 0,
        address: new Float64Array(cap),
        sizeBytes: new Float64Array(cap),
        loc: new Int32Array(cap),
        seq: new Float64Array(cap),
      };
      this.recent.set(tid, r);
    }
    this.lastRecentTid = tid;
    this.lastRecent = r;
    return r;
  }

  private rememberRecent(tid: number, address: number, sizeBytes: number, loc: number, seq: number): void {
    const r = this.recentFor(tid);
    const cap = r.address.length;
    r.head = r.head === 0 ? cap - 1 : r.head - 1;
    r.address[r.head] = address;
    r.sizeBytes[r.head] = sizeBytes;
    r.loc[r.head] = loc;
    r.seq[r.head] = seq;
    if (r.length < cap) r.length++;
  }

  /** A free (munmapSize −1) or munmap on `tid`: the first recent allocation it matches is temporary. */
  private matchTemporary(tid: number, address: number, munmapSize: number): void {
    const r = tid === this.lastRecentTid ? this.lastRecent : (this.recent.get(tid) ?? null);
    if (r === null) return;
    const cap = r.address.length;
    for (let k = 0, i = r.head; k < r.length; k++, i = i + 1 === cap ? 0 : i + 1) {
      if (r.address[i] !== address) continue;
      if (munmapSize >= 0 && r.sizeBytes[i] !== munmapSize) continue;
      const loc = r.loc[i]!;
      this.ensureLocArrays(loc);
      this.tempSize[loc] = this.tempSize[loc]! + r.sizeBytes[i]!;
      this.tempCount[loc] = this.tempCount[loc]! + 1;
      if (r.seq[i]! < this.tempMinSeq[loc]!) this.tempMinSeq[loc] = r.seq[i]!;
      return;
    }
  }

  private ensureLocArrays(loc: number): void {
    if (loc < this.tempSize.length) return;
    let n = this.tempSize.length;
    while (n <= loc) n *= 2;
    this.tempSize = growF64(this.tempSize, n);
    this.tempCount = growF64(this.tempCount, n);
    const m = new Float64Array(n).fill(Infinity);
    m.set(this.tempMinSeq);
    this.tempMinSeq = m;
  }

  // ----- §5.4 temporal -----

  private boundary(): void {
    if (this.heapBytes >= this.lastPeakBytes) {
      this.hwmIndex.push(this.peakCount + 1);
      this.hwmBytes.push(this.heapBytes);
    } else {
      this.hwmIndex.push(this.peakCount);
      this.hwmBytes.push(this.lastPeakBytes);
    }
    this.peakCount++;
    this.lastPeakBytes = this.heapBytes;
    this.boundaries++;
  }

  private leakDealloc(merged: number, count: number, sizeBytes: number, gen: number): void {
    const n = this.boundaries;
    if (gen === n) return;
    let hist = this.leakHistograms[merged];
    if (hist === undefined) {
      hist = new Map();
      this.leakHistograms[merged] = hist;
    }
    const key = gen * TWO_26 + n;
    const at = hist.get(key);
    if (at === undefined) {
      hist.set(key, this.histCount.length);
      this.histCount.push(count);
      this.histBytes.push(sizeBytes);
    } else {
      this.histCount[at]! += count;
      this.histBytes[at]! += sizeBytes;
    }
  }

  private peakDelta(merged: number, count: number, sizeBytes: number): void {
    const next = this.heapBytes + sizeBytes;
    if (this.heapBytes >= this.lastPeakBytes && next < this.heapBytes) {
      this.peakCount++;
      this.lastPeakBytes = this.heapBytes;
    }
    this.heapBytes = next;
    let h = this.histories[merged];
    if (h === undefined) {
      h = { snap: 0, peak: 0, contribCount: 0, contribBytes: 0, sinceCount: 0, sinceBytes: 0, runs: [] };
      this.histories[merged] = h;
    }
    if (h.snap < this.boundaries) this.catchUp(h, h.runs);
    rebase(h, this.peakCount);
    h.sinceCount += count;
    h.sinceBytes += sizeBytes;
  }

  private catchUp(h: PeakHistory, runs: number[]): void {
    const now = this.boundaries;
    while (h.snap !== now) {
      rebase(h, this.hwmIndex[h.snap]!);
      pushRun(runs, h.snap, h.contribCount, h.contribBytes);
      if (h.sinceCount !== 0) h.snap++;
      else h.snap = now;
    }
  }

  // ----- results -----

  finish(): CollectedSnapshots {
    const locs = this.locations;
    const nLocs = locs.count;
    this.ensureLocArrays(nLocs);

    // Leaks: the live state now.
    const leakSums = this.sumLiveState(this.ranges);
    const leakedBytes = sumOf(leakSums.size);

    const temporalLeaks = this.finishTemporalLeaks();
    const { records: temporalHighWaterMark, highWaterMarkBySnapshot } = this.finishTemporalPeaks();

    // High-water mark: undo every change since the peak, then read the live state.
    for (let i = this.undoLength - 1; i >= 0; i--) {
      const address = this.undoAddress[i]!;
      if (this.undoPresent[i] === 1) {
        this.live.set(address, this.undoSize[i]!, this.undoSeq[i]!, this.undoLoc[i]!, 0);
      } else {
        const slot = this.live.find(address);
        if (slot >= 0) this.live.removeSlot(slot);
      }
    }
    this.undoLength = 0;
    this.undoSeen.clear();
    const peakSums = this.sumLiveState(this.peakRanges);

    const temp = { size: this.tempSize, count: this.tempCount, minSeq: this.tempMinSeq };
    return {
      peakMemoryBytes: this.peakBytes,
      peakSeq: this.peakSeq,
      leakedBytes,
      highWaterMark: groupLocations(locs, peakSums, true),
      highWaterMarkByThread: groupLocations(locs, peakSums, false),
      leaks: groupLocations(locs, leakSums, true),
      leaksByThread: groupLocations(locs, leakSums, false),
      temporary: groupLocations(locs, temp, true),
      temporaryByThread: groupLocations(locs, temp, false),
      temporalLeaks,
      temporalHighWaterMark,
      highWaterMarkBySnapshot,
      memoryTimeMs: this.memoryTimeMs,
      memoryRssBytes: this.memoryRssBytes,
      memoryHeapBytes: this.memoryHeapBytes,
      nAllocationRecords: this.seq,
    };
  }

  private sumLiveState(ranges: readonly MappedRange[]): LocationSums {
    const n = Math.max(this.locations.count, 1);
    const sums: LocationSums = { size: new Float64Array(n), count: new Float64Array(n), minSeq: new Float64Array(n).fill(Infinity) };
    const live = this.live;
    live.forEach((slot) => {
      const loc = live.loc[slot]!;
      sums.size[loc] = sums.size[loc]! + live.sizeBytes[slot]!;
      sums.count[loc] = sums.count[loc]! + 1;
      if (live.seq[slot]! < sums.minSeq[loc]!) sums.minSeq[loc] = live.seq[slot]!;
    });
    // Every remaining piece of an mmap counts as one allocation.
    for (const r of ranges) {
      sums.size[r.loc] = sums.size[r.loc]! + r.end - r.start;
      sums.count[r.loc] = sums.count[r.loc]! + 1;
      if (r.seq < sums.minSeq[r.loc]!) sums.minSeq[r.loc] = r.seq;
    }
    return sums;
  }

  private finishTemporalLeaks(): TemporalRecord[] {
    const locs = this.locations;
    const byLoc = new Map<number, TemporalInterval[]>();
    const add = (merged: number, interval: TemporalInterval): void => {
      let list = byLoc.get(merged);
      if (list === undefined) byLoc.set(merged, (list = []));
      list.push(interval);
    };
    this.leakHistograms.forEach((hist, merged) => {
      if (hist === undefined) return;
      for (const [key, at] of hist) {
        const gen = Math.floor(key / TWO_26);
        add(merged, [gen, key - gen * TWO_26, this.histCount[at]!, this.histBytes[at]!]);
      }
    });
    // What is still live: per (gen, L).
    const leak = new Map<number, Map<number, [number, number]>>();
    const leakAdd = (merged: number, gen: number, count: number, sizeBytes: number): void => {
      let m = leak.get(merged);
      if (m === undefined) leak.set(merged, (m = new Map()));
      const s = m.get(gen);
      if (s === undefined) m.set(gen, [count, sizeBytes]);
      else {
        s[0] = s[0]! + count;
        s[1] = s[1]! + sizeBytes;
      }
    };
    const live = this.live;
    live.forEach((slot) => leakAdd(locs.merged[live.loc[slot]!]!, live.gen[slot]!, 1, live.sizeBytes[slot]!));
    const seen = new Set<number>();
    for (const r of this.ranges) {
      leakAdd(locs.merged[r.loc]!, r.gen, seen.has(r.identity) ? 0 : 1, r.end - r.start);
      seen.add(r.identity);
    }
    for (const [merged, m] of leak) for (const [gen, [count, sizeBytes]] of m) add(merged, [gen, null, count, sizeBytes]);
    return sortTemporal(locs, byLoc);
  }

  private finishTemporalPeaks(): { records: TemporalRecord[]; highWaterMarkBySnapshot: number[] } {
    const locs = this.locations;
    const final = this.heapBytes >= this.lastPeakBytes ? this.peakCount + 1 : this.peakCount;
    const S = this.boundaries;
    const byLoc = new Map<number, TemporalInterval[]>();
    this.histories.forEach((state, merged) => {
      if (state === undefined) return;
      const h: PeakHistory = { ...state, runs: state.runs.slice() };
      this.catchUp(h, h.runs);
      rebase(h, final);
      const runs = h.runs;
      // Unlike catching up, the final run is kept even when it is zero and nothing preceded it.
      if (runs.length === 0) runs.push(S, h.contribCount, h.contribBytes);
      else pushRun(runs, S, h.contribCount, h.contribBytes);
      pushRun(runs, S + 1, h.contribCount + h.sinceCount, h.contribBytes + h.sinceBytes);
      const intervals: TemporalInterval[] = [];
      for (let i = 0; i < runs.length; i += 3) {
        const next = i + 3 < runs.length ? runs[i + 3]! : null;
        intervals.push([runs[i]!, next, runs[i + 1]!, runs[i + 2]!]);
      }
      if (intervals.length > 0) byLoc.set(merged, intervals);
    });
    return { records: sortTemporal(locs, byLoc), highWaterMarkBySnapshot: [...this.hwmBytes, this.lastPeakBytes] };
  }
}

interface LocationSums {
  size: Float64Array;
  count: Float64Array;
  minSeq: Float64Array;
}

function rebase(h: PeakHistory, p: number): void {
  if (p === h.peak) return;
  h.contribCount += h.sinceCount;
  h.contribBytes += h.sinceBytes;
  h.sinceCount = 0;
  h.sinceBytes = 0;
  h.peak = p;
}

/** Append (asOf, count, bytes) unless it repeats the last run (or is zero with no runs yet). */
function pushRun(runs: number[], asOf: number, count: number, sizeBytes: number): void {
  const n = runs.length;
  if (n === 0 ? count === 0 && sizeBytes === 0 : runs[n - 2] === count && runs[n - 1] === sizeBytes) return;
  runs.push(asOf, count, sizeBytes);
}

function sumOf(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/** memray's order: L field by field (tid, stack, native, generation, allocator), then intervals. */
function sortTemporal(locs: Locations, byLoc: Map<number, TemporalInterval[]>): TemporalRecord[] {
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
