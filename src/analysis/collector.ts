/**
 * One streaming pass over a capture's allocation records that yields every snapshot memray
 * computes (§5.1–5.4): the high-water mark, leaks, temporary allocations and the temporal
 * intervals (high-water mark and leaks), plus the memory timeline.
 *
 * memray replays the records up to the peak a second time; we cannot. Instead, each live entry
 * keeps its seq: the entries with seq ≤ peakSeq were live at the peak, and entries of the peak
 * that went away since (freed, or replaced by a missed free) are logged when they go. Each such
 * entry goes once, so the log is bounded by what was live at the peak; a new peak empties it.
 * The mmap range list the peak saw is kept as is. Memory grows with live allocations, distinct
 * locations and memory samples, not records.
 */
import { ALLOCATOR_KIND } from "../reader/index.ts";
import { LIVE_STRIDE, LiveTable } from "./livetable.ts";
import { growF64, growI32, Locations } from "./locations.ts";
import { PieceKind, unmapRange, type MappedRange } from "./ranges.ts";
import type { StatsCollector } from "./stats.ts";

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
  /**
   * Only memory records whose index is a multiple of this are temporal snapshot boundaries, as
   * memray does once a capture has more than `--max-memory-records` of them. Default 1.
   */
  boundaryStride?: number;
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

/** Numbers per temporary-ring entry: address, size, seq, location id. */
const RING_STRIDE = 4;

export class AllocationCollector {
  readonly locations = new Locations();
  private readonly live = new LiveTable();
  private ranges: MappedRange[] = [];
  private seq = 0;

  // §5.1 peak finder, and the entries of the latest peak that are gone since (see above).
  private currentBytes = 0;
  private peakBytes = 0;
  private peakSeq = 0;
  private peakRanges: MappedRange[] = [];
  private undoLength = 0;
  private undoSize = new Float64Array(1024);
  private undoSeq = new Float64Array(1024);
  private undoLoc = new Int32Array(1024);

  /** Counts `memray stats` figures from the same switch, when set (one call per record). */
  stats: StatsCollector | null = null;

  // §5.3 temporary allocations, summed per location.
  private readonly threshold: number;
  private readonly boundaryStride: number;
  // Per thread, a ring of its last N+1 allocations; the rings sit side by side in one pool.
  private readonly ringCapacity: number;
  private readonly ringOfTid = new Map<number, number>();
  private lastRingTid = -1;
  private lastRing = -1;
  private ringHead = new Int32Array(4);
  private ringLength = new Int32Array(4);
  private ringData: Float64Array;
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
  /**
   * Seq of the first record after boundary g (index g − 1), so a live entry's snapshot
   * generation follows from its seq; `genStartSeq` is the last of them (0 before any).
   */
  private readonly boundarySeq: number[] = [];
  private genStartSeq = 0;
  // Per merged location, its PeakHistory as columns (the per-record path allocates nothing);
  // `histRuns` is created on first use, which also marks the location as having a history.
  private histSnap = new Int32Array(256);
  private histPeak = new Float64Array(256);
  private histContribCount = new Float64Array(256);
  private histContribBytes = new Float64Array(256);
  private histSinceCount = new Float64Array(256);
  private histSinceBytes = new Float64Array(256);
  private readonly histRuns: Array<number[] | undefined> = [];
  /** Temporal leaks: per merged location, (allocatedBefore·2^26 + deallocatedBefore) → sums. */
  private readonly leakHistograms: Array<Map<number, number> | undefined> = [];
  private histCount: number[] = [];
  /** Per merged location, its last histogram key and that bucket's index (−1: none). */
  private leakLastKey = new Float64Array(256).fill(-1);
  private leakLastAt = new Int32Array(256);
  private histBytes: number[] = [];

  private readonly memoryTimeMs: number[] = [];
  private readonly memoryRssBytes: number[] = [];
  private readonly memoryHeapBytes: number[] = [];

  constructor(options: CollectorOptions = {}) {
    this.threshold = options.temporaryAllocationThreshold ?? 1;
    this.boundaryStride = options.boundaryStride ?? 1;
    if (!(this.threshold >= 0) || !Number.isInteger(this.threshold)) {
      throw new RangeError(`temporary allocation threshold must be a non-negative integer, got ${this.threshold}`);
    }
    this.ringCapacity = this.threshold + 1;
    this.ringData = new Float64Array(4 * this.ringCapacity * RING_STRIDE);
  }

  memoryRecord(timeMs: number, rssBytes: number): void {
    this.memoryTimeMs.push(timeMs);
    this.memoryRssBytes.push(rssBytes);
    this.memoryHeapBytes.push(this.currentBytes);
    if ((this.memoryTimeMs.length - 1) % this.boundaryStride === 0) this.pendingBoundaries++;
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
    if (this.pendingBoundaries > 0) this.applyBoundaries(seq);
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === 0) {
      const loc = this.locations.intern(tid, stackId, nativeId, generation, allocator);
      const live = this.live;
      const b = live.probe(address);
      const data = live.data;
      if (data[b] === address) {
        // A missed free: the old entry is replaced (its bytes stay counted in `current`).
        if (data[b + 2]! <= this.peakSeq) this.logUndo(data[b + 1]!, data[b + 2]!, data[b + 3]!);
      } else {
        live.claim(b, address);
      }
      data[b + 1] = sizeBytes;
      data[b + 2] = seq;
      data[b + 3] = loc;
      this.currentBytes += sizeBytes;
      this.peakDelta(this.locations.merged[loc]!, 1, sizeBytes);
      this.rememberRecent(tid, address, sizeBytes, loc, seq);
      if (this.stats !== null) this.stats.countAllocation(sizeBytes, allocator, stackId, seq);
    } else if (kind === 1) {
      const live = this.live;
      const b = live.find(address);
      if (b >= 0) {
        const data = live.data;
        const size = data[b + 1]!;
        const entrySeq = data[b + 2]!;
        const loc = data[b + 3]!;
        if (entrySeq <= this.peakSeq) this.logUndo(size, entrySeq, loc);
        const merged = this.locations.merged[loc]!;
        this.currentBytes -= size;
        if (entrySeq < this.genStartSeq) this.leakDealloc(merged, 1, size, this.generationOf(entrySeq));
        this.peakDelta(merged, -1, -size);
        live.removeAt(b);
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
      if (this.stats !== null) this.stats.countAllocation(sizeBytes, allocator, stackId, seq);
    } else if (kind === 3) {
      this.unmap(address, sizeBytes);
      this.matchTemporary(tid, address, sizeBytes);
    }
    if (this.currentBytes >= this.peakBytes) {
      this.peakBytes = this.currentBytes;
      this.peakSeq = seq;
      this.undoLength = 0;
      this.peakRanges = this.ranges;
    }
  }

  private applyBoundaries(seq: number): void {
    while (this.pendingBoundaries > 0) {
      this.pendingBoundaries--;
      this.boundary();
      this.boundarySeq.push(seq);
    }
    this.genStartSeq = seq;
  }

  /** The snapshot generation record `seq` was made in: boundaries applied before it. */
  private generationOf(seq: number): number {
    const starts = this.boundarySeq;
    // The last g with starts[g − 1] ≤ seq (several boundaries can share a seq).
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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

  /** Remember an entry of the peak that is going away. */
  private logUndo(sizeBytes: number, seq: number, loc: number): void {
    const i = this.undoLength++;
    if (i >= this.undoSize.length) {
      const n = this.undoSize.length * 2;
      this.undoSize = growF64(this.undoSize, n);
      this.undoSeq = growF64(this.undoSeq, n);
      this.undoLoc = growI32(this.undoLoc, n);
    }
    this.undoSize[i] = sizeBytes;
    this.undoSeq[i] = seq;
    this.undoLoc[i] = loc;
  }

  // ----- §5.3 temporary allocations -----

  /** The ring of `tid`, created on first use. */
  private ringFor(tid: number): number {
    let ring = this.ringOfTid.get(tid);
    if (ring === undefined) {
      ring = this.ringOfTid.size;
      this.ringOfTid.set(tid, ring);
      if (ring >= this.ringHead.length) {
        const n = this.ringHead.length * 2;
        this.ringHead = growI32(this.ringHead, n);
        this.ringLength = growI32(this.ringLength, n);
        this.ringData = growF64(this.ringData, n * this.ringCapacity * RING_STRIDE);
      }
    }
    this.lastRingTid = tid;
    this.lastRing = ring;
    return ring;
  }

  private rememberRecent(tid: number, address: number, sizeBytes: number, loc: number, seq: number): void {
    const ring = tid === this.lastRingTid ? this.lastRing : this.ringFor(tid);
    const cap = this.ringCapacity;
    const head = this.ringHead[ring] === 0 ? cap - 1 : this.ringHead[ring]! - 1;
    this.ringHead[ring] = head;
    const b = (ring * cap + head) * RING_STRIDE;
    const data = this.ringData;
    data[b] = address;
    data[b + 1] = sizeBytes;
    data[b + 2] = seq;
    data[b + 3] = loc;
    if (this.ringLength[ring]! < cap) this.ringLength[ring]!++;
  }

  /** A free (munmapSize −1) or munmap on `tid`: the first recent allocation it matches is temporary. */
  private matchTemporary(tid: number, address: number, munmapSize: number): void {
    let ring = this.lastRing;
    if (tid !== this.lastRingTid) {
      const r = this.ringOfTid.get(tid);
      if (r === undefined) return;
      ring = r;
    }
    if (ring < 0) return;
    const cap = this.ringCapacity;
    const length = this.ringLength[ring]!;
    const data = this.ringData;
    const base = ring * cap;
    for (let k = 0, i = this.ringHead[ring]!; k < length; k++, i = i + 1 === cap ? 0 : i + 1) {
      const b = (base + i) * RING_STRIDE;
      if (data[b] !== address) continue;
      if (munmapSize >= 0 && data[b + 1] !== munmapSize) continue;
      const loc = data[b + 3]!;
      this.ensureLocArrays(loc);
      this.tempSize[loc] = this.tempSize[loc]! + data[b + 1]!;
      this.tempCount[loc] = this.tempCount[loc]! + 1;
      if (data[b + 2]! < this.tempMinSeq[loc]!) this.tempMinSeq[loc] = data[b + 2]!;
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
    const key = gen * TWO_26 + n;
    // A location's frees in one interval mostly hit the same (gen, n) bucket as its last one.
    if (merged < this.leakLastKey.length && this.leakLastKey[merged] === key) {
      const at = this.leakLastAt[merged]!;
      this.histCount[at]! += count;
      this.histBytes[at]! += sizeBytes;
      return;
    }
    let hist = this.leakHistograms[merged];
    if (hist === undefined) {
      hist = new Map();
      this.leakHistograms[merged] = hist;
    }
    let at = hist.get(key);
    if (at === undefined) {
      at = this.histCount.length;
      hist.set(key, at);
      this.histCount.push(count);
      this.histBytes.push(sizeBytes);
    } else {
      this.histCount[at]! += count;
      this.histBytes[at]! += sizeBytes;
    }
    if (merged >= this.leakLastKey.length) {
      let size = this.leakLastKey.length;
      while (size <= merged) size *= 2;
      const keys = new Float64Array(size).fill(-1);
      keys.set(this.leakLastKey);
      this.leakLastKey = keys;
      this.leakLastAt = growI32(this.leakLastAt, size);
    }
    this.leakLastKey[merged] = key;
    this.leakLastAt[merged] = at;
  }

  private peakDelta(merged: number, count: number, sizeBytes: number): void {
    const heap = this.heapBytes;
    const next = heap + sizeBytes;
    if (heap >= this.lastPeakBytes && next < heap) {
      this.peakCount++;
      this.lastPeakBytes = heap;
    }
    this.heapBytes = next;
    if (merged >= this.histSnap.length) this.growHistories(merged);
    if (this.histRuns[merged] === undefined) this.histRuns[merged] = [];
    if (this.histSnap[merged]! < this.boundaries) this.catchUpColumns(merged);
    const p = this.peakCount;
    if (this.histPeak[merged] !== p) {
      // rebase(p), on the columns
      this.histContribCount[merged]! += this.histSinceCount[merged]!;
      this.histContribBytes[merged]! += this.histSinceBytes[merged]!;
      this.histSinceCount[merged] = 0;
      this.histSinceBytes[merged] = 0;
      this.histPeak[merged] = p;
    }
    this.histSinceCount[merged]! += count;
    this.histSinceBytes[merged]! += sizeBytes;
  }

  private history(merged: number): PeakHistory {
    return {
      snap: this.histSnap[merged]!,
      peak: this.histPeak[merged]!,
      contribCount: this.histContribCount[merged]!,
      contribBytes: this.histContribBytes[merged]!,
      sinceCount: this.histSinceCount[merged]!,
      sinceBytes: this.histSinceBytes[merged]!,
      runs: this.histRuns[merged]!,
    };
  }

  /** catchUp for real (once per location and boundary at most, so an object is fine here). */
  private catchUpColumns(merged: number): void {
    const h = this.history(merged);
    this.catchUp(h, h.runs);
    this.histSnap[merged] = h.snap;
    this.histPeak[merged] = h.peak;
    this.histContribCount[merged] = h.contribCount;
    this.histContribBytes[merged] = h.contribBytes;
    this.histSinceCount[merged] = h.sinceCount;
    this.histSinceBytes[merged] = h.sinceBytes;
  }

  private growHistories(merged: number): void {
    let n = this.histSnap.length;
    while (n <= merged) n *= 2;
    this.histSnap = growI32(this.histSnap, n);
    this.histPeak = growF64(this.histPeak, n);
    this.histContribCount = growF64(this.histContribCount, n);
    this.histContribBytes = growF64(this.histContribBytes, n);
    this.histSinceCount = growF64(this.histSinceCount, n);
    this.histSinceBytes = growF64(this.histSinceBytes, n);
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
    const leakSums = this.sumLiveState(this.ranges, Number.POSITIVE_INFINITY);
    const leakedBytes = sumOf(leakSums.size);

    const temporalLeaks = this.finishTemporalLeaks();
    const { records: temporalHighWaterMark, highWaterMarkBySnapshot } = this.finishTemporalPeaks();

    // High-water mark: what is live and was made by the peak, plus what the peak had and is gone.
    const peakSums = this.sumLiveState(this.peakRanges, this.peakSeq);
    for (let i = 0; i < this.undoLength; i++) addTo(peakSums, this.undoLoc[i]!, this.undoSize[i]!, this.undoSeq[i]!);

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

  /** Per-location sums of the live entries made at or before `maxSeq`, and of `ranges`. */
  private sumLiveState(ranges: readonly MappedRange[], maxSeq: number): LocationSums {
    const n = Math.max(this.locations.count, 1);
    const sums: LocationSums = { size: new Float64Array(n), count: new Float64Array(n), minSeq: new Float64Array(n).fill(Infinity) };
    const data = this.live.data;
    for (let b = 0; b < data.length; b += LIVE_STRIDE) {
      if (data[b] === -1 || data[b + 2]! > maxSeq) continue;
      addTo(sums, data[b + 3]!, data[b + 1]!, data[b + 2]!);
    }
    // Every remaining piece of an mmap counts as one allocation.
    for (const r of ranges) addTo(sums, r.loc, r.end - r.start, r.seq);
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
    const data = this.live.data;
    for (let b = 0; b < data.length; b += LIVE_STRIDE) {
      if (data[b] !== -1) leakAdd(locs.merged[data[b + 3]!]!, this.generationOf(data[b + 2]!), 1, data[b + 1]!);
    }
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
    this.histRuns.forEach((liveRuns, merged) => {
      if (liveRuns === undefined) return;
      const h: PeakHistory = { ...this.history(merged), runs: liveRuns.slice() };
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

function addTo(sums: LocationSums, loc: number, sizeBytes: number, seq: number): void {
  sums.size[loc] = sums.size[loc]! + sizeBytes;
  sums.count[loc] = sums.count[loc]! + 1;
  if (seq < sums.minSeq[loc]!) sums.minSeq[loc] = seq;
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
