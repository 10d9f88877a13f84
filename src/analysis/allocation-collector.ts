/**
 * One streaming pass over a capture's allocation records that yields every snapshot memray
 * computes (docs/capture-format.md §5.1–5.4): the high-water mark, leaks, temporary allocations
 * and the temporal intervals (high-water mark and leaks), plus the memory timeline.
 *
 * The pass has two halves. The front half (record-resolver.ts: the locations and the temporary
 * allocations' rings) resolves each record to its location; it runs on the decoding thread when
 * the file is read there. This collector is the back half: it owns what every snapshot reads
 * (the live table, the mmap ranges, the record seq, the snapshot clock) and dispatches each
 * resolved record once to its collaborators, one per algorithm: PeakLog (the high-water mark's
 * undo log), TemporalPeaks (temporal high-water columns), TemporalLeaks (the leak histogram)
 * and the stats. Memory grows with live allocations, distinct locations and memory samples, not
 * records.
 */
import { LIVE_STRIDE, LiveTable } from "./livetable.ts";
import { PeakLog } from "./peak-log.ts";
import { PieceKind, unmapRange, type MappedRange } from "./ranges.ts";
import { addTo, emptySums, groupLocations, type LocationSums, type SnapshotGroups, type TemporalSet } from "./snapshots.ts";
import type { StatsCollector } from "./stats.ts";
import { TemporalLeaks } from "./temporal-leaks.ts";
import { SnapshotClock, TemporalPeaks } from "./temporal-peaks.ts";
import { RecordResolver, type ResolvedSink, type ResolvedState } from "./record-resolver.ts";
import type { ResolveStageOptions } from "./resolve-stage.ts";
import { release, resized } from "../shared/typed-arrays.ts";

export type { SnapshotGroups, TemporalInterval, TemporalSet } from "./snapshots.ts";
export { groupLocations } from "./snapshots.ts";

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
  /** Snapshot groups, threads merged and split (see groupLocations). */
  highWaterMark: SnapshotGroups;
  highWaterMarkByThread: SnapshotGroups;
  leaks: SnapshotGroups;
  leaksByThread: SnapshotGroups;
  temporary: SnapshotGroups;
  temporaryByThread: SnapshotGroups;
  temporalLeaks: TemporalSet;
  temporalHighWaterMark: TemporalSet;
  highWaterMarkBySnapshot: number[];
  /** Every memory record seen: time, RSS, heap (§5.1 `current`) at that point. */
  memoryTimeMs: number[];
  memoryRssBytes: number[];
  memoryHeapBytes: number[];
  nAllocationRecords: number;
}

export class AllocationCollector implements ResolvedSink {
  private readonly live = new LiveTable(LIVE_STRIDE);
  /**
   * Each location's merged-threads twin, as the resolved records tell it (a free or an munmap
   * needs it, and the location table is on the decoding thread then). Per location, not per live entry: in
   * the live table it took 8 MB of a real sympy capture's 1M slots, here 4 MB for its 690k
   * locations.
   */
  private mergedOf = new Int32Array(256);
  private ranges: MappedRange[] = [];
  private seq = 0;
  private currentBytes = 0;
  private readonly boundaryStride: number;
  private readonly temporaryAllocationThreshold: number;
  /** The front half on this thread, for records given to `allocation` (unused when it runs on the decoding thread). */
  private resolver: RecordResolver | null;

  private readonly peak = new PeakLog();
  private readonly clock = new SnapshotClock();
  private readonly temporalPeaks = new TemporalPeaks(this.clock);
  private readonly temporalLeaks = new TemporalLeaks(this.clock);

  /** Counts `memray stats` figures from the same switch, when set (one call per record). */
  stats: StatsCollector | null = null;

  private readonly memoryTimeMs: number[] = [];
  private readonly memoryRssBytes: number[] = [];
  private readonly memoryHeapBytes: number[] = [];

  constructor(options: CollectorOptions = {}) {
    this.temporaryAllocationThreshold = options.temporaryAllocationThreshold ?? 1;
    this.resolver = new RecordResolver(this, this.temporaryAllocationThreshold);
    this.boundaryStride = options.boundaryStride ?? 1;
  }

  /** The options of the front half when it runs on the decoding thread (resolve-stage.ts). */
  get stageOptions(): ResolveStageOptions {
    return { temporaryAllocationThreshold: this.temporaryAllocationThreshold };
  }

  memoryRecord(timeMs: number, rssBytes: number): void {
    this.memoryTimeMs.push(timeMs);
    this.memoryRssBytes.push(rssBytes);
    this.memoryHeapBytes.push(this.currentBytes);
    if ((this.memoryTimeMs.length - 1) % this.boundaryStride === 0) this.clock.pending++;
  }

  /** One allocation record, resolved here by this collector's own front half. */
  allocation(
    tid: number,
    address: number,
    sizeBytes: number,
    allocator: number,
    stackId: number,
    nativeId: number,
    generation: number,
  ): void {
    this.resolver!.allocation(tid, address, sizeBytes, allocator, stackId, nativeId, generation);
  }

  // ----- the resolved records (ResolvedSink), from this thread's front half or the ring -----

  /** Record `seq`'s start: the snapshot boundaries before it. */
  private next(): number {
    const seq = this.seq++;
    if (this.clock.pending > 0) this.applyBoundaries(seq);
    return seq;
  }

  alloc(address: number, sizeBytes: number, allocator: number, stackId: number, loc: number, merged: number): void {
    const seq = this.next();
    const live = this.live;
    const b = live.probe(address);
    const data = live.data;
    if (data[b] === address) {
      // A missed free: the old entry is replaced (its bytes stay counted in `current`).
      this.peak.goingAway(data[b + 1]!, data[b + 2]!, data[b + 3]!);
    } else {
      live.claim(b, address);
    }
    data[b + 1] = sizeBytes;
    data[b + 2] = seq;
    data[b + 3] = loc;
    data[b + 4] = this.clock.boundaries;
    this.noteMerged(loc, merged);
    this.added(seq, sizeBytes, allocator, stackId, merged);
  }

  private noteMerged(loc: number, merged: number): void {
    if (loc >= this.mergedOf.length) {
      let n = this.mergedOf.length;
      while (n <= loc) n *= 2;
      this.mergedOf = resized(this.mergedOf, n);
    }
    this.mergedOf[loc] = merged;
  }

  private added(seq: number, sizeBytes: number, allocator: number, stackId: number, merged: number): void {
    this.currentBytes += sizeBytes;
    this.temporalPeaks.delta(merged, 1, sizeBytes);
    if (this.stats !== null) this.stats.countAllocation(sizeBytes, allocator, stackId, seq);
    this.peak.after(this.currentBytes, seq, this.ranges);
  }

  free(address: number): void {
    const seq = this.next();
    const live = this.live;
    const b = live.find(address);
    if (b >= 0) {
      const data = live.data;
      const size = data[b + 1]!;
      const entrySeq = data[b + 2]!;
      const loc = data[b + 3]!;
      const merged = this.mergedOf[loc]!;
      this.peak.goingAway(size, entrySeq, loc);
      this.currentBytes -= size;
      if (entrySeq < this.clock.genStartSeq) this.temporalLeaks.dealloc(merged, 1, size, data[b + 4]!);
      this.temporalPeaks.delta(merged, -1, -size);
      live.removeAt(b);
    }
    this.peak.after(this.currentBytes, seq, this.ranges);
  }

  mmap(address: number, sizeBytes: number, allocator: number, stackId: number, loc: number, merged: number): void {
    const seq = this.next();
    if (sizeBytes > 0) {
      // The peak keeps the list it saw: copy before changing it.
      this.ranges = this.ranges === this.peak.peakRanges ? this.ranges.slice() : this.ranges;
      this.ranges.push({ start: address, end: address + sizeBytes, loc, seq, gen: this.clock.boundaries, identity: seq });
    }
    this.noteMerged(loc, merged);
    this.added(seq, sizeBytes, allocator, stackId, merged);
  }

  munmap(address: number, sizeBytes: number): void {
    const seq = this.next();
    this.unmap(address, sizeBytes);
    this.peak.after(this.currentBytes, seq, this.ranges);
  }

  other(): void {
    this.peak.after(this.currentBytes, this.next(), this.ranges);
  }

  private applyBoundaries(seq: number): void {
    const clock = this.clock;
    while (clock.pending > 0) {
      clock.pending--;
      this.temporalPeaks.boundary();
      clock.applied(seq);
    }
  }

  private unmap(address: number, sizeBytes: number): void {
    const { ranges, pieces, removedBytes } = unmapRange(this.ranges, address, sizeBytes);
    if (pieces.length === 0) return;
    this.ranges = ranges;
    this.currentBytes -= removedBytes;
    for (const piece of pieces) {
      const r = piece.range;
      const merged = this.mergedOf[r.loc]!;
      // A piece ends an allocation only if nothing else of its mmap remains (§5.4 a).
      let refs = 0;
      for (const k of ranges) if (k.identity === r.identity) refs++;
      for (const p of pieces) if (p.range.identity === r.identity) refs++;
      this.temporalLeaks.dealloc(merged, refs === 1 ? 1 : 0, piece.sizeBytes, r.gen);
      const count = piece.kind === PieceKind.FREED ? -1 : piece.kind === PieceKind.SHRUNK ? 0 : 1;
      this.temporalPeaks.delta(merged, count, -piece.sizeBytes);
    }
  }

  /** What the collector holds now, in entries (tests check it stays bounded; locations: of this thread's front half). */
  get retained(): { liveSlots: number; peakLogEntries: number; locations: number } {
    return { liveSlots: this.live.capacity, peakLogEntries: this.peak.logged, locations: this.resolver?.locations.count ?? 0 };
  }

  // ----- results -----

  /**
   * The snapshots, once every record is in; `front`: the front half's state when it ran on the
   * decoding thread (resolve-stage.ts), else this collector's own front half is finished.
   */
  finish(front?: ResolvedState): CollectedSnapshots {
    const resolved = front ?? this.resolver!.finish();
    this.resolver = null;
    this.mergedOf = new Int32Array(0);
    const locs = resolved.locations;
    // The temporal sets first (their builders' state is spent on them), then one location-sums
    // at a time, grouped and dropped: three of them are 75 MB on generated_cardinality's 1M locations.
    const temporalLeaks = this.temporalLeaks.finish(locs, this.live.data, this.ranges);
    const { set: temporalHighWaterMark, highWaterMarkBySnapshot } = this.temporalPeaks.finish(locs.mergedTable);

    // With one thread, split-threads groups are the merged ones (same keys, same earliest
    // member): shared, not made twice (a real sympy capture's 359k temporary groups, ~30 MB).
    const oneThread = locs.oneThread;
    const grouped = (sums: LocationSums): [SnapshotGroups, SnapshotGroups] => {
      const merged = groupLocations(locs, sums, true);
      const groups: [SnapshotGroups, SnapshotGroups] = [merged, oneThread ? merged : groupLocations(locs, sums, false)];
      for (const column of [sums.size, sums.count, sums.minSeq]) release(column);
      return groups;
    };

    // Leaks: the live state now.
    let sums = this.sumLiveState(locs.count, this.ranges, Number.POSITIVE_INFINITY);
    let leakedBytes = 0;
    for (const v of sums.size) leakedBytes += v;
    const [leaks, leaksByThread] = grouped(sums);

    // High-water mark: what is live and was made by the peak, plus what the peak had and is gone.
    sums = this.sumLiveState(locs.count, this.peak.peakRanges, this.peak.peakSeq);
    this.peak.addLogged(sums);
    const [highWaterMark, highWaterMarkByThread] = grouped(sums);

    const [temporary, temporaryByThread] = grouped(resolved.temporarySums);
    release(this.live.data);
    return {
      peakMemoryBytes: this.peak.peakBytes,
      peakSeq: this.peak.peakSeq,
      leakedBytes,
      highWaterMark,
      highWaterMarkByThread,
      leaks,
      leaksByThread,
      temporary,
      temporaryByThread,
      temporalLeaks,
      temporalHighWaterMark,
      highWaterMarkBySnapshot,
      memoryTimeMs: this.memoryTimeMs,
      memoryRssBytes: this.memoryRssBytes,
      memoryHeapBytes: this.memoryHeapBytes,
      nAllocationRecords: this.seq,
    };
  }

  /** Per-location sums (of `nLocations`) of the live entries made at or before `maxSeq`, and of `ranges`. */
  private sumLiveState(nLocations: number, ranges: readonly MappedRange[], maxSeq: number): LocationSums {
    const sums = emptySums(nLocations);
    const data = this.live.data;
    for (let b = 0; b < data.length; b += LIVE_STRIDE) {
      if (data[b] === -1 || data[b + 2]! > maxSeq) continue;
      addTo(sums, data[b + 3]!, data[b + 1]!, data[b + 2]!);
    }
    // Every remaining piece of an mmap counts as one allocation.
    for (const r of ranges) addTo(sums, r.loc, r.end - r.start, r.seq);
    return sums;
  }
}
