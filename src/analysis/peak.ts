/**
 * The heap high-water mark as memray's FileReader finds it (docs/capture-format.md §5.1): live
 * bytes after every record, ties going to the latest record. A missed free keeps the old bytes
 * counted. `stats` uses this alone; the full analysis finds the same peak in its collector
 * (allocation-collector.ts), which also needs what was live at it.
 */
import { ALLOCATOR_KIND, AllocatorKind } from "../reader/index.ts";
import { LiveTable, PEAK_STRIDE } from "./livetable.ts";
import { type MappedRange, unmapRange } from "./ranges.ts";

export class PeakTracker {
  currentBytes = 0;
  peakBytes = 0;
  /** Index of the record (0-based, frees included) after which the peak was reached. */
  peakSeq = 0;
  private seq = 0;
  private readonly live = new LiveTable(PEAK_STRIDE, 1 << 16);
  /** mmap ranges (untagged: the peak needs only their bytes). */
  private ranges: MappedRange[] = [];

  allocation(address: number, sizeBytes: number, allocator: number): void {
    const kind = ALLOCATOR_KIND[allocator];
    if (kind === AllocatorKind.ALLOC) {
      this.currentBytes += sizeBytes;
      const live = this.live;
      const b = live.probe(address);
      if (live.data[b] !== address) live.claim(b, address);
      live.data[b + 1] = sizeBytes;
    } else if (kind === AllocatorKind.FREE) {
      const live = this.live;
      const b = live.find(address); // −1: unknown address, ignored
      if (b >= 0) {
        this.currentBytes -= live.data[b + 1]!;
        live.removeAt(b);
      }
    } else if (kind === AllocatorKind.MMAP) {
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
