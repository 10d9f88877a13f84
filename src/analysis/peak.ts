/**
 * The heap high-water mark as memray's FileReader finds it (§5.1): live bytes after every
 * record, ties going to the latest record. A missed free keeps the old bytes counted.
 */
import { ALLOCATOR_KIND } from "../reader/index.ts";
import { AddressTable } from "./address-table.ts";
import { type MappedRange, unmapRange } from "./ranges.ts";

export class PeakTracker {
  currentBytes = 0;
  peakBytes = 0;
  /** Index of the record (0-based, frees included) after which the peak was reached. */
  peakSeq = 0;
  private seq = 0;
  private readonly live = new AddressTable();
  /** mmap ranges (untagged: the peak needs only their bytes). */
  private ranges: MappedRange[] = [];

  allocation(address: number, sizeBytes: number, allocator: number): void {
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === 0) {
      this.currentBytes += sizeBytes;
      this.live.set(address, sizeBytes);
    } else if (kind === 1) {
      const sizeFreed = this.live.remove(address); // −1: unknown address, ignored
      if (sizeFreed >= 0) this.currentBytes -= sizeFreed;
    } else if (kind === 2) {
      if (sizeBytes > 0) this.ranges.push({ start: address, end: address + sizeBytes, loc: 0, seq: this.seq, gen: 0, identity: this.seq });
      this.currentBytes += sizeBytes;
    } else {
      const { ranges, removedBytes } = unmapRange(this.ranges, address, sizeBytes);
      this.ranges = ranges;
      this.currentBytes -= removedBytes;
    }
    if (this.currentBytes >= this.peakBytes) {
      this.peakBytes = this.currentBytes;
      this.peakSeq = this.seq;
    }
    this.seq++;
  }
}
