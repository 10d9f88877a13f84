/**
 * The heap high-water mark as memray's FileReader finds it (§5.1): live bytes after every
 * record, ties going to the latest record. A missed free keeps the old bytes counted.
 */
import { ALLOCATOR_KIND } from "../reader/index.ts";
import { AddressTable } from "./address-table.ts";

export class PeakTracker {
  currentBytes = 0;
  peakBytes = 0;
  /** Index of the record (0-based, frees included) after which the peak was reached. */
  peakSeq = 0;
  private seq = 0;
  private readonly live = new AddressTable();
  /** mmap ranges as [start, end) pairs; few enough that a flat array is fastest. */
  private ranges: number[] = [];

  allocation(address: number, sizeBytes: number, allocator: number): void {
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === 0) {
      this.currentBytes += sizeBytes;
      this.live.set(address, sizeBytes);
    } else if (kind === 1) {
      const sizeFreed = this.live.remove(address); // −1: unknown address, ignored
      if (sizeFreed >= 0) this.currentBytes -= sizeFreed;
    } else if (kind === 2) {
      if (sizeBytes > 0) this.ranges.push(address, address + sizeBytes);
      this.currentBytes += sizeBytes;
    } else {
      this.currentBytes -= this.unmap(address, sizeBytes);
    }
    if (this.currentBytes >= this.peakBytes) {
      this.peakBytes = this.currentBytes;
      this.peakSeq = this.seq;
    }
    this.seq++;
  }

  /** Remove [start, start+length) from the mapped ranges; returns the bytes it covered. */
  private unmap(start: number, length: number): number {
    if (length <= 0) return 0;
    const end = start + length;
    const kept: number[] = [];
    let removed = 0;
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const s = r[i]!;
      const e = r[i + 1]!;
      const lo = Math.max(s, start);
      const hi = Math.min(e, end);
      if (lo >= hi) {
        kept.push(s, e);
        continue;
      }
      removed += hi - lo;
      if (s < lo) kept.push(s, lo);
      if (hi < e) kept.push(hi, e);
    }
    this.ranges = kept;
    return removed;
  }
}
