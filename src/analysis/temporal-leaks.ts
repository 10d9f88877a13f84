/**
 * Temporal leaks (docs/capture-format.md §5.4 a): per merged location, a histogram of what went
 * away by (snapshot made in, snapshot gone before), plus at the end what is still live.
 */
import { LIVE_STRIDE } from "./livetable.ts";
import { growI32, type Locations } from "./locations.ts";
import type { MappedRange } from "./ranges.ts";
import { sortTemporal, type TemporalInterval, type TemporalRecord } from "./snapshots.ts";
import type { SnapshotClock } from "./temporal-peaks.ts";

const TWO_26 = 2 ** 26;

export class TemporalLeaks {
  private readonly clock: SnapshotClock;
  /** Per merged location, (allocatedBefore·2^26 + deallocatedBefore) → bucket index. */
  private readonly histograms: Array<Map<number, number> | undefined> = [];
  private readonly count: number[] = [];
  private readonly bytes: number[] = [];
  /** Per merged location, its last histogram key and that bucket's index (−1: none). */
  private lastKey = new Float64Array(256).fill(-1);
  private lastAt = new Int32Array(256);

  constructor(clock: SnapshotClock) {
    this.clock = clock;
  }

  /** `count` allocations and `sizeBytes` made in generation `gen` went away now. */
  dealloc(merged: number, count: number, sizeBytes: number, gen: number): void {
    const n = this.clock.boundaries;
    if (gen === n) return;
    const key = gen * TWO_26 + n;
    // A location's frees in one interval mostly hit the same (gen, n) bucket as its last one.
    if (merged < this.lastKey.length && this.lastKey[merged] === key) {
      const at = this.lastAt[merged]!;
      this.count[at]! += count;
      this.bytes[at]! += sizeBytes;
      return;
    }
    let hist = this.histograms[merged];
    if (hist === undefined) {
      hist = new Map();
      this.histograms[merged] = hist;
    }
    let at = hist.get(key);
    if (at === undefined) {
      at = this.count.length;
      hist.set(key, at);
      this.count.push(count);
      this.bytes.push(sizeBytes);
    } else {
      this.count[at]! += count;
      this.bytes[at]! += sizeBytes;
    }
    if (merged >= this.lastKey.length) {
      let size = this.lastKey.length;
      while (size <= merged) size *= 2;
      const keys = new Float64Array(size).fill(-1);
      keys.set(this.lastKey);
      this.lastKey = keys;
      this.lastAt = growI32(this.lastAt, size);
    }
    this.lastKey[merged] = key;
    this.lastAt[merged] = at;
  }

  /** The intervals, with what is still live (the collector's live table and mmap ranges). */
  finish(locs: Locations, live: Float64Array, ranges: readonly MappedRange[]): TemporalRecord[] {
    const byLoc = new Map<number, TemporalInterval[]>();
    const add = (merged: number, interval: TemporalInterval): void => {
      let list = byLoc.get(merged);
      if (list === undefined) byLoc.set(merged, (list = []));
      list.push(interval);
    };
    this.histograms.forEach((hist, merged) => {
      if (hist === undefined) return;
      for (const [key, at] of hist) {
        const gen = Math.floor(key / TWO_26);
        add(merged, [gen, key - gen * TWO_26, this.count[at]!, this.bytes[at]!]);
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
    for (let b = 0; b < live.length; b += LIVE_STRIDE) {
      if (live[b] !== -1) leakAdd(locs.merged[live[b + 3]!]!, this.clock.generationOf(live[b + 2]!), 1, live[b + 1]!);
    }
    const seen = new Set<number>();
    for (const r of ranges) {
      leakAdd(locs.merged[r.loc]!, r.gen, seen.has(r.identity) ? 0 : 1, r.end - r.start);
      seen.add(r.identity);
    }
    for (const [merged, m] of leak) for (const [gen, [count, sizeBytes]] of m) add(merged, [gen, null, count, sizeBytes]);
    return sortTemporal(locs, byLoc);
  }
}
