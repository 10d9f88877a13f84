/**
 * The high-water mark's snapshot in one pass (docs/capture-format.md §5.1). memray replays the
 * records up to the peak a second time; we cannot. Instead each live entry keeps its seq: the
 * entries with seq ≤ peakSeq were live at the peak, and entries of the peak that go away since
 * (freed, or replaced by a missed free) are logged here when they go. Each such entry goes
 * once, so the log is bounded by what was live at the peak; a new peak empties it. The mmap
 * range list the peak saw is kept as is (range lists are copied on write).
 */
import type { MappedRange } from "./ranges.ts";
import { addTo, type LocationSums } from "./snapshots.ts";
import { resized } from "../shared/typed-arrays.ts";

export class PeakLog {
  peakBytes = 0;
  /** Seq of the record after which memory peaked (ties go to the latest record). */
  peakSeq = 0;
  /** The mmap ranges live at the peak (the collector copies its list before changing this one). */
  peakRanges: MappedRange[] = [];
  private length = 0;
  private size = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private loc = new Int32Array(1024);

  /** Entries logged since the peak. */
  get logged(): number {
    return this.length;
  }

  /** An entry (size, seq, location) is going away: remember it if the peak had it. */
  goingAway(sizeBytes: number, seq: number, loc: number): void {
    if (seq > this.peakSeq) return;
    const i = this.length++;
    if (i >= this.size.length) {
      const n = this.size.length * 2;
      this.size = resized(this.size, n);
      this.seq = resized(this.seq, n);
      this.loc = resized(this.loc, n);
    }
    this.size[i] = sizeBytes;
    this.seq[i] = seq;
    this.loc[i] = loc;
  }

  /** After record `seq`: a new peak (or a tie) empties the log. */
  after(currentBytes: number, seq: number, ranges: MappedRange[]): void {
    if (currentBytes >= this.peakBytes) {
      this.peakBytes = currentBytes;
      this.peakSeq = seq;
      this.length = 0;
      this.peakRanges = ranges;
    }
  }

  /** Add what the peak had and is gone since. */
  addLogged(sums: LocationSums): void {
    for (let i = 0; i < this.length; i++) addTo(sums, this.loc[i]!, this.size[i]!, this.seq[i]!);
  }
}
