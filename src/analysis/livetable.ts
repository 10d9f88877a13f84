/**
 * The live simple allocations by address, on one interleaved typed array for the per-record hot
 * path: an allocation or a free touches one cache line and allocates nothing. Open addressing
 * with linear probing and backward-shift deletion (no tombstones). Addresses are integers below
 * 2^53.
 */

/** Numbers per slot: address (−1 when empty), size, seq, location id. */
export const LIVE_STRIDE = 4;

export class LiveTable {
  /** Slot k's fields start at k·LIVE_STRIDE: address, sizeBytes, seq, loc. */
  data: Float64Array;
  count = 0;
  private mask: number;
  /** 32 − log2(capacity): Fibonacci hashing keeps the product's high bits. */
  private shift: number;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.data = new Float64Array(cap * LIVE_STRIDE).fill(-1);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  // Allocator addresses are 8- or 16-byte aligned, so the low bits of a product are mostly zero:
  // mix the high half in and take the high bits of a multiplicative hash.
  private home(address: number): number {
    const lo = address | 0;
    const hi = (address / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The base index of `address`'s entry, or −1. */
  find(address: number): number {
    const data = this.data;
    const mask = this.mask;
    let i = this.home(address);
    for (;;) {
      const b = i * LIVE_STRIDE;
      const key = data[b]!;
      if (key === address) return b;
      if (key === -1) return -1;
      i = (i + 1) & mask;
    }
  }

  /**
   * The base index of `address`'s entry, or of the empty slot it would take (then
   * `data[base] !== address`; call `claim`). Grows first, so the slot stays valid.
   */
  probe(address: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const data = this.data;
    const mask = this.mask;
    let i = this.home(address);
    for (;;) {
      const b = i * LIVE_STRIDE;
      const key = data[b]!;
      if (key === address || key === -1) return b;
      i = (i + 1) & mask;
    }
  }

  /** Take the empty slot at `base` (from `probe`) for `address`; the caller fills the fields. */
  claim(base: number, address: number): void {
    this.data[base] = address;
    this.count++;
  }

  /** Insert or overwrite. */
  set(address: number, sizeBytes: number, seq: number, loc: number): void {
    const b = this.probe(address);
    if (this.data[b] !== address) this.claim(b, address);
    this.data[b + 1] = sizeBytes;
    this.data[b + 2] = seq;
    this.data[b + 3] = loc;
  }

  /** Delete the entry at `base` (backward-shift deletion keeps probe chains intact). */
  removeAt(base: number): void {
    const data = this.data;
    const mask = this.mask;
    let hole = base / LIVE_STRIDE;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const jb = j * LIVE_STRIDE;
      const key = data[jb]!;
      if (key === -1) break;
      const home = this.home(key);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (inRange) continue;
      const hb = hole * LIVE_STRIDE;
      data[hb] = key;
      data[hb + 1] = data[jb + 1]!;
      data[hb + 2] = data[jb + 2]!;
      data[hb + 3] = data[jb + 3]!;
      hole = j;
    }
    data[hole * LIVE_STRIDE] = -1;
    this.count--;
  }

  private grow(): void {
    const old = this.data;
    const cap = (this.mask + 1) * 2;
    this.data = new Float64Array(cap * LIVE_STRIDE).fill(-1);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
    for (let b = 0; b < old.length; b += LIVE_STRIDE) {
      if (old[b] !== -1) this.set(old[b]!, old[b + 1]!, old[b + 2]!, old[b + 3]!);
    }
  }
}
