/**
 * Temporal snapshots (docs/capture-format.md §5.4): the snapshot clock, and the temporal
 * high-water mark, per merged location as columns so the per-record path allocates nothing.
 */
import type { LocationTable } from "./locations.ts";
import { TemporalBuilder, type TemporalSet } from "./snapshots.ts";
import { resized } from "../shared/typed-arrays.ts";

/**
 * Snapshot boundaries. Memory records mark them, but they are applied lazily, at the next
 * allocation, because memray ignores memory records after the last allocation.
 */
export class SnapshotClock {
  /** Boundaries applied: the current snapshot generation. */
  boundaries = 0;
  /** Boundaries seen and not yet applied. */
  pending = 0;
  /** Seq of the first record after the last boundary (0 before any). */
  genStartSeq = 0;

  /** Boundary applied before record `seq`. */
  applied(seq: number): void {
    this.boundaries++;
    this.genStartSeq = seq;
  }
}

/**
 * Every location's runs (asOfSnapshot, count, bytes) as the intervals of one TemporalBuilder:
 * a run lasts until its location's next one starts (its deallocatedBefore, which the builder
 * makes at the end: "next-of-location"), so the set is made from the runs in place. An array
 * per location was ~100 bytes each and most of the collector's garbage on a capture with a
 * million locations.
 */
class RunStore {
  readonly runs = new TemporalBuilder("next-of-location");
  /** Per location, its last run (−1: none). */
  tail = new Int32Array(256).fill(-1);

  growLocations(n: number): void {
    const had = this.tail.length;
    this.tail = resized(this.tail, n).fill(-1, had);
  }

  /** Append (asOf, count, bytes) unless it repeats the last run (or is zero with no runs yet). */
  pushRun(loc: number, asOf: number, count: number, sizeBytes: number): void {
    const t = this.tail[loc]!;
    if (t === -1 ? count === 0 && sizeBytes === 0 : this.runs.nAllocations[t] === count && this.runs.nBytes[t] === sizeBytes) return;
    this.push(loc, asOf, count, sizeBytes);
  }

  push(loc: number, asOf: number, count: number, sizeBytes: number): void {
    this.tail[loc] = this.runs.add(loc, asOf, -1, count, sizeBytes);
  }
}

export class TemporalPeaks {
  private readonly clock: SnapshotClock;
  private heapBytes = 0;
  private lastPeakBytes = 0;
  private peakCount = 0;
  private readonly hwmIndex: number[] = [];
  private readonly hwmBytes: number[] = [];
  // Per merged location, its high-water-mark bookkeeping (§5.4 b) as columns: the snapshot it is
  // caught up to, the peak its counts since are measured from, its contribution to that peak and
  // its counts since; `hasHistory` marks the locations seen.
  private snap = new Int32Array(256);
  private peak = new Float64Array(256);
  private contribCount = new Float64Array(256);
  private contribBytes = new Float64Array(256);
  private sinceCount = new Float64Array(256);
  private sinceBytes = new Float64Array(256);
  private hasHistory = new Uint8Array(256);
  private readonly runs = new RunStore();

  constructor(clock: SnapshotClock) {
    this.clock = clock;
  }

  /** A snapshot boundary (before the clock counts it). */
  boundary(): void {
    if (this.heapBytes >= this.lastPeakBytes) {
      this.hwmIndex.push(this.peakCount + 1);
      this.hwmBytes.push(this.heapBytes);
    } else {
      this.hwmIndex.push(this.peakCount);
      this.hwmBytes.push(this.lastPeakBytes);
    }
    this.peakCount++;
    this.lastPeakBytes = this.heapBytes;
  }

  /** `count` allocations and `sizeBytes` (negative when going away) at merged location `merged`. */
  delta(merged: number, count: number, sizeBytes: number): void {
    const heap = this.heapBytes;
    const next = heap + sizeBytes;
    if (heap >= this.lastPeakBytes && next < heap) {
      this.peakCount++;
      this.lastPeakBytes = heap;
    }
    this.heapBytes = next;
    if (merged >= this.snap.length) this.grow(merged);
    this.hasHistory[merged] = 1;
    if (this.snap[merged]! < this.clock.boundaries) this.catchUpColumns(merged);
    this.rebase(merged, this.peakCount);
    this.sinceCount[merged]! += count;
    this.sinceBytes[merged]! += sizeBytes;
  }

  /** Peak `p` is now the one `merged`'s counts since are measured from: they join its contribution. */
  private rebase(merged: number, p: number): void {
    if (this.peak[merged] === p) return;
    this.contribCount[merged]! += this.sinceCount[merged]!;
    this.contribBytes[merged]! += this.sinceBytes[merged]!;
    this.sinceCount[merged] = 0;
    this.sinceBytes[merged] = 0;
    this.peak[merged] = p;
  }

  /**
   * Bring `merged` up to the current snapshot: a run per snapshot it saw allocations in. On the
   * columns' values in locals (`rebase` inlined), not through an object: the collector's records
   * loop ran 3% fewer instructions on generated_pyalloc_x1 (cachegrind, 1,918 → 1,863 M a pass;
   * 3.7M catch-ups on x16).
   */
  private catchUpColumns(merged: number): void {
    const now = this.clock.boundaries;
    let snap = this.snap[merged]!;
    let peak = this.peak[merged]!;
    let contribCount = this.contribCount[merged]!;
    let contribBytes = this.contribBytes[merged]!;
    let sinceCount = this.sinceCount[merged]!;
    let sinceBytes = this.sinceBytes[merged]!;
    while (snap !== now) {
      const p = this.hwmIndex[snap]!;
      if (p !== peak) {
        // rebase(merged, p), on the locals
        contribCount += sinceCount;
        contribBytes += sinceBytes;
        sinceCount = 0;
        sinceBytes = 0;
        peak = p;
      }
      this.runs.pushRun(merged, snap, contribCount, contribBytes);
      if (sinceCount !== 0) snap++;
      else snap = now;
    }
    this.snap[merged] = snap;
    this.peak[merged] = peak;
    this.contribCount[merged] = contribCount;
    this.contribBytes[merged] = contribBytes;
    this.sinceCount[merged] = sinceCount;
    this.sinceBytes[merged] = sinceBytes;
  }

  private grow(merged: number): void {
    let n = this.snap.length;
    while (n <= merged) n *= 2;
    this.snap = resized(this.snap, n);
    this.peak = resized(this.peak, n);
    this.contribCount = resized(this.contribCount, n);
    this.contribBytes = resized(this.contribBytes, n);
    this.sinceCount = resized(this.sinceCount, n);
    this.sinceBytes = resized(this.sinceBytes, n);
    this.hasHistory = resized(this.hasHistory, n);
    this.runs.growLocations(n);
  }

  /** The intervals and the high-water mark per snapshot, of `mergedLocs`' locations; once, at the end (it adds each location's last runs). */
  finish(mergedLocs: LocationTable): { set: TemporalSet; highWaterMarkBySnapshot: number[] } {
    const final = this.heapBytes >= this.lastPeakBytes ? this.peakCount + 1 : this.peakCount;
    const S = this.clock.boundaries;
    const store = this.runs;
    for (let merged = 0; merged < this.hasHistory.length; merged++) {
      if (this.hasHistory[merged] === 0) continue;
      this.catchUpColumns(merged);
      this.rebase(merged, final);
      const contribCount = this.contribCount[merged]!;
      const contribBytes = this.contribBytes[merged]!;
      // Unlike catching up, the final run is kept even when it is zero and nothing preceded it.
      if (store.tail[merged] === -1) store.push(merged, S, contribCount, contribBytes);
      else store.pushRun(merged, S, contribCount, contribBytes);
      store.pushRun(merged, S + 1, contribCount + this.sinceCount[merged]!, contribBytes + this.sinceBytes[merged]!);
    }
    // The per-location columns are done with before the sort (98 MB on generated_cardinality's 1M locations).
    this.snap = new Int32Array(0);
    this.peak = this.contribCount = this.contribBytes = this.sinceCount = this.sinceBytes = new Float64Array(0);
    this.hasHistory = new Uint8Array(0);
    store.tail = new Int32Array(0);
    return { set: store.runs.finish(mergedLocs), highWaterMarkBySnapshot: [...this.hwmBytes, this.lastPeakBytes] };
  }
}
