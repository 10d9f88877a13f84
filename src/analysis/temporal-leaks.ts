/**
 * Temporal leaks (docs/capture-format.md §5.4 a): per merged location, a histogram of what went
 * away by (snapshot made in, snapshot gone before), plus at the end what is still live.
 */
import { LIVE_STRIDE } from "./livetable.ts";
import type { Locations } from "./locations.ts";
import type { MappedRange } from "./ranges.ts";
import { TemporalBuilder, type TemporalSet } from "./snapshots.ts";
import type { SnapshotClock } from "./temporal-peaks.ts";
import { resized } from "../shared/typed-arrays.ts";

/**
 * The histogram's buckets are (merged location, allocatedBefore, deallocatedBefore) intervals
 * of a TemporalBuilder, numbered in the order they appear, found through an open-addressing
 * table of bucket numbers; their counts and bytes are summed in the builder's columns, so the
 * set is made from them in place. One Map per location cost 20% of the CPU time and most of the
 * collector's garbage on a capture with a million locations (bench/generate.ts' high-cardinality
 * one).
 *
 * A bucket's deallocatedBefore is the snapshot it went away in, the current one when it is made,
 * so the buckets of past snapshots are never looked up again: the table holds only the current
 * snapshot's (numbered from `firstOfSnapshot` on, since numbers follow time). A slot of an older
 * one counts as empty; they all go stale at once, when the snapshot ends, so probe chains stay
 * whole. Holding every bucket, it was a 32 MB table for generated_pyalloc_x16's 3.9M buckets.
 */
export class TemporalLeaks {
  private readonly clock: SnapshotClock;
  private readonly buckets = new TemporalBuilder("as-added");
  /** Bucket number + 1 per slot (0: empty); linear probing, never deleted from. */
  private slots = new Int32Array(2048);
  /** The snapshot the table's buckets went away in, and the first of them. */
  private slotsSnapshot = -1;
  private firstOfSnapshot = 0;
  /** Per merged location, its last bucket's number + 1 (0: none). */
  private lastAt = new Int32Array(256);

  constructor(clock: SnapshotClock) {
    this.clock = clock;
  }

  /** `count` allocations and `sizeBytes` made in generation `gen` went away now. */
  dealloc(merged: number, count: number, sizeBytes: number, gen: number): void {
    const n = this.clock.boundaries;
    if (gen === n) return;
    const buckets = this.buckets;
    if (n !== this.slotsSnapshot) {
      this.slotsSnapshot = n;
      this.firstOfSnapshot = buckets.length;
    }
    // A location's frees in one interval mostly hit the same (gen, n) bucket as its last one.
    // Buckets from firstOfSnapshot on are this snapshot's: comparing numbers first leaves an
    // older last bucket unread (it is out of cache).
    if (merged < this.lastAt.length) {
      const last = this.lastAt[merged]! - 1;
      if (last >= this.firstOfSnapshot && buckets.allocatedBefore[last] === gen) {
        buckets.addCount(last, count);
        buckets.addBytes(last, sizeBytes);
        return;
      }
    } else {
      let size = this.lastAt.length;
      while (size <= merged) size *= 2;
      this.lastAt = resized(this.lastAt, size);
    }
    const at = this.bucketOf(merged, gen, n);
    buckets.addCount(at, count);
    buckets.addBytes(at, sizeBytes);
    this.lastAt[merged] = at + 1;
  }

  /** The bucket of (merged, gen, n), made (zeroed) if new; n is the current snapshot (slotsSnapshot). */
  private bucketOf(merged: number, gen: number, n: number): number {
    const buckets = this.buckets;
    const first = this.firstOfSnapshot;
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = slotHash(merged, gen) & mask; ; i = (i + 1) & mask) {
      const b = slots[i]! - 1;
      if (b < first) {
        const at = buckets.add(merged, gen, n, 0, 0);
        if ((buckets.length - first + 1) * 2 > slots.length) this.rehash();
        else slots[i] = at + 1;
        return at;
      }
      if (buckets.loc[b] === merged && buckets.allocatedBefore[b] === gen) return b;
    }
  }

  /** Double the table and place the current snapshot's buckets again (the new one included). */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const { loc, allocatedBefore } = this.buckets;
    for (let b = this.firstOfSnapshot; b < this.buckets.length; b++) {
      let i = slotHash(loc[b]!, allocatedBefore[b]!) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = b + 1;
    }
    this.slots = slots;
  }

  /**
   * The intervals, with what is still live (the collector's live table and mmap ranges); once, at
   * the end. `locs`: the collector's locations (the live entries' ids are theirs).
   */
  finish(locs: Locations, live: Float64Array, ranges: readonly MappedRange[]): TemporalSet {
    // What is still live, per (L, made in): buckets gone "before −1", found through the same
    // table as a snapshot's (a Map of Maps of pairs was ~1M objects on a real sympy capture).
    // Their order does not matter: each L has one per made-in snapshot, which the sort orders.
    const out = this.buckets;
    this.slotsSnapshot = -1;
    this.firstOfSnapshot = out.length;
    const stillLive = (merged: number, gen: number, count: number, sizeBytes: number): void => {
      const at = this.bucketOf(merged, gen, -1);
      out.addCount(at, count);
      out.addBytes(at, sizeBytes);
    };
    for (let b = 0; b < live.length; b += LIVE_STRIDE) {
      if (live[b] !== -1) stillLive(locs.merged[live[b + 3]!]!, live[b + 4]!, 1, live[b + 1]!);
    }
    const seen = new Set<number>();
    for (const r of ranges) {
      stillLive(locs.merged[r.loc]!, r.gen, seen.has(r.identity) ? 0 : 1, r.end - r.start);
      seen.add(r.identity);
    }
    // The table is done with.
    this.slots = new Int32Array(0);
    this.lastAt = new Int32Array(0);
    return out.finish(locs.mergedTable);
  }
}

/** A hash of (merged location, made in) for the bucket table. */
function slotHash(merged: number, gen: number): number {
  const h = Math.imul(Math.imul(merged, 0x9e3779b1) ^ Math.imul(gen, 0x85ebca6b), 0x27d4eb2d);
  return (h ^ (h >>> 15)) >>> 0;
}
