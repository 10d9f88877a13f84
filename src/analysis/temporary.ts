/**
 * Temporary allocations (docs/capture-format.md §5.3): per thread, a ring of its last N+1
 * allocations; a free or munmap matching one of them makes it temporary, summed per location.
 * The rings sit side by side in one pool, so the per-record path allocates nothing.
 */
import type { LocationSums } from "./snapshots.ts";
import { resized } from "../shared/typed-arrays.ts";

/** Numbers per ring entry: address, size, seq, location id. */
const RING_STRIDE = 4;

export class TemporaryAllocations {
  private readonly capacity: number;
  private readonly ringOfTid = new Map<number, number>();
  private lastTid = -1;
  private lastRing = -1;
  private head = new Int32Array(4);
  private length = new Int32Array(4);
  private data: Float64Array;
  private size = new Float64Array(256);
  private count = new Float64Array(256);
  private minSeq = new Float64Array(256).fill(Infinity);

  /** `threshold`: memray's `--temporary-allocation-threshold` (1 for `--temporary-allocations`). */
  constructor(threshold: number) {
    if (!(threshold >= 0) || !Number.isInteger(threshold)) {
      throw new RangeError(`temporary allocation threshold must be a non-negative integer, got ${threshold}`);
    }
    this.capacity = threshold + 1;
    this.data = new Float64Array(4 * this.capacity * RING_STRIDE);
  }

  /** The ring of `tid`, created on first use. */
  private ringFor(tid: number): number {
    let ring = this.ringOfTid.get(tid);
    if (ring === undefined) {
      ring = this.ringOfTid.size;
      this.ringOfTid.set(tid, ring);
      if (ring >= this.head.length) {
        const n = this.head.length * 2;
        this.head = resized(this.head, n);
        this.length = resized(this.length, n);
        this.data = resized(this.data, n * this.capacity * RING_STRIDE);
      }
    }
    this.lastTid = tid;
    this.lastRing = ring;
    return ring;
  }

  remember(tid: number, address: number, sizeBytes: number, loc: number, seq: number): void {
    const ring = tid === this.lastTid ? this.lastRing : this.ringFor(tid);
    const cap = this.capacity;
    const head = this.head[ring] === 0 ? cap - 1 : this.head[ring]! - 1;
    this.head[ring] = head;
    const b = (ring * cap + head) * RING_STRIDE;
    const data = this.data;
    data[b] = address;
    data[b + 1] = sizeBytes;
    data[b + 2] = seq;
    data[b + 3] = loc;
    if (this.length[ring]! < cap) this.length[ring]!++;
  }

  /** A free (munmapSize −1) or munmap on `tid`: the first recent allocation it matches is temporary. */
  match(tid: number, address: number, munmapSize: number): void {
    let ring = this.lastRing;
    if (tid !== this.lastTid) {
      const r = this.ringOfTid.get(tid);
      if (r === undefined) return;
      ring = r;
    }
    if (ring < 0) return;
    const cap = this.capacity;
    const length = this.length[ring]!;
    const data = this.data;
    const base = ring * cap;
    for (let k = 0, i = this.head[ring]!; k < length; k++, i = i + 1 === cap ? 0 : i + 1) {
      const b = (base + i) * RING_STRIDE;
      if (data[b] !== address) continue;
      if (munmapSize >= 0 && data[b + 1] !== munmapSize) continue;
      const loc = data[b + 3]!;
      this.ensureLocations(loc);
      this.size[loc] = this.size[loc]! + data[b + 1]!;
      this.count[loc] = this.count[loc]! + 1;
      if (data[b + 2]! < this.minSeq[loc]!) this.minSeq[loc] = data[b + 2]!;
      return;
    }
  }

  private ensureLocations(loc: number): void {
    if (loc < this.size.length) return;
    let n = this.size.length;
    while (n <= loc) n *= 2;
    this.resize(n);
  }

  private resize(n: number): void {
    this.size = resized(this.size, n);
    this.count = resized(this.count, n);
    const had = this.minSeq.length;
    this.minSeq = resized(this.minSeq, n).fill(Infinity, had);
  }

  /** The per-location sums, covering `nLocations` locations. */
  sums(nLocations: number): LocationSums {
    // Exactly: doubling past the count left up to half the slots unused (4M for 2.1M locations
    // before the tid-0 twins had a table of their own: +45 MB RSS at the end of finish()).
    if (nLocations > this.size.length) this.resize(nLocations);
    return { size: this.size, count: this.count, minSeq: this.minSeq };
  }
}
