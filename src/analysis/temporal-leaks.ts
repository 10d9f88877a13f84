/**
 * Temporal leaks (docs/capture-format.md §5.4 a): per merged location, a histogram of what went
 * away by (snapshot made in, snapshot gone before), plus at the end what is still live.
 */
import { LIVE_STRIDE } from "./livetable.ts";
import { growF64, growI32, type Locations } from "./locations.ts";
import type { MappedRange } from "./ranges.ts";
import { TemporalBuilder, type TemporalSet } from "./snapshots.ts";
import type { SnapshotClock } from "./temporal-peaks.ts";

const TWO_26 = 2 ** 26;

/**
 * The histogram's buckets are (merged location, allocatedBefore·2^26 + deallocatedBefore) pairs
 * in columns, numbered in the order they appear, found through one open-addressing table of
 * bucket numbers. One Map per location cost 20% of the CPU time and most of the collector's
 * garbage on a capture with a million locations (bench/generate.ts' high-cardinality one).
 */
export class TemporalLeaks {
  private readonly clock: SnapshotClock;
  private buckets = 0;
  private bucketLoc = new Int32Array(1024);
  private bucketKey = new Float64Array(1024);
  private count = new Float64Array(1024);
  private bytes = new Float64Array(1024);
  /** Bucket number + 1 per slot (0: empty); linear probing, never deleted from. */
  private slots = new Int32Array(2048);
  /** Per merged location, its last histogram key and that bucket's number (−1: none). */
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
    const at = this.bucketOf(merged, key);
    this.count[at]! += count;
    this.bytes[at]! += sizeBytes;
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

  /** The bucket of (merged, key), made (zeroed) if new. */
  private bucketOf(merged: number, key: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = slotHash(merged, key) & mask; ; i = (i + 1) & mask) {
      const b = slots[i]! - 1;
      if (b < 0) {
        const at = this.addBucket(merged, key);
        if ((this.buckets + 1) * 2 > slots.length) this.rehash();
        else slots[i] = at + 1;
        return at;
      }
      if (this.bucketLoc[b] === merged && this.bucketKey[b] === key) return b;
    }
  }

  private addBucket(merged: number, key: number): number {
    const at = this.buckets++;
    if (at >= this.bucketLoc.length) {
      const n = this.bucketLoc.length * 2;
      this.bucketLoc = growI32(this.bucketLoc, n);
      this.bucketKey = growF64(this.bucketKey, n);
      this.count = growF64(this.count, n);
      this.bytes = growF64(this.bytes, n);
    }
    this.bucketLoc[at] = merged;
    this.bucketKey[at] = key;
    return at;
  }

  /** Double the table and place every bucket again (the new one included). */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let b = 0; b < this.buckets; b++) {
      let i = slotHash(this.bucketLoc[b]!, this.bucketKey[b]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = b + 1;
    }
    this.slots = slots;
  }

  /** The intervals, with what is still live (the collector's live table and mmap ranges). */
  finish(locs: Locations, live: Float64Array, ranges: readonly MappedRange[]): TemporalSet {
    const out = new TemporalBuilder();
    // Bucket order is first appearance; the builder puts the intervals in memray's order.
    for (let at = 0; at < this.buckets; at++) {
      const key = this.bucketKey[at]!;
      const gen = Math.floor(key / TWO_26);
      out.add(this.bucketLoc[at]!, gen, key - gen * TWO_26, this.count[at]!, this.bytes[at]!);
    }
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
    for (const [merged, m] of leak) for (const [gen, [count, sizeBytes]] of m) out.add(merged, gen, -1, count, sizeBytes);
    return out.finish(locs);
  }
}

/** A hash of (merged location, key) for the bucket table (keys are below 2^52). */
function slotHash(merged: number, key: number): number {
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  return Math.imul(Math.imul(merged, 0x9e3779b1) ^ lo ^ Math.imul(hi, 0x85ebca6b), 0x27d4eb2d) >>> 7;
}
