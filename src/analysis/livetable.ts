/**
 * The live simple allocations by address, on one interleaved typed array for the per-record hot
 * path: an allocation or a free touches one cache line and allocates nothing. Open addressing
 * with linear probing and backward-shift deletion (no tombstones). Addresses are integers below
 * 2^53.
 *
 * One table, two widths: the collector keeps five numbers per entry (LIVE_STRIDE), `stats`'
 * peak tracker only address and size (PEAK_STRIDE). Four numbers per entry cost `stats` ~15%
 * on the 26M-record bench capture when measured with two separate tables, and still ~5% more
 * CPU with this one (median of 4 interleaved runs, loaded machine): the wider slots cost cache
 * lines, and the width is one constructor argument.
 */

/**
 * Numbers per collector slot: address (−1 when empty), size, seq, location id and the snapshot
 * generation it was made in (found from its seq by a search, it was 0.16 s of
 * generated_pyalloc_x16's frees).
 */
export const LIVE_STRIDE = 5;
/** Numbers per peak-tracker slot: address (−1 when empty), size. */
export const PEAK_STRIDE = 2;

export class LiveTable {
  /** Slot k's fields start at k·stride: address, sizeBytes, then (LIVE_STRIDE) seq, loc, generation. */
  data: Float64Array;
  count = 0;
  readonly stride: number;
  private mask: number;
  /** 32 − log2(capacity): Fibonacci hashing keeps the product's high bits. */
  private shift: number;

  constructor(stride: number = LIVE_STRIDE, initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.stride = stride;
    this.data = new Float64Array(cap * stride).fill(-1);
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
    const b = this.slotOf(address);
    return this.data[b] === address ? b : -1;
  }

  /**
   * The base index of `address`'s entry, or of the empty slot it would take (then
   * `data[base] !== address`; call `claim`). Grows first, so the slot stays valid.
   */
  probe(address: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    return this.slotOf(address);
  }

  /** The base index of `address`'s entry, or of the empty slot that ends its probe chain. */
  private slotOf(address: number): number {
    const data = this.data;
    const mask = this.mask;
    const stride = this.stride;
    let i = this.home(address);
    for (;;) {
      const b = i * stride;
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

  /** Delete the entry at `base` (backward-shift deletion keeps probe chains intact). */
  removeAt(base: number): void {
    const data = this.data;
    const mask = this.mask;
    const stride = this.stride;
    let hole = base / stride;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const jb = j * stride;
      const key = data[jb]!;
      if (key === -1) break;
      const home = this.home(key);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (inRange) continue;
      const hb = hole * stride;
      data[hb] = key;
      for (let k = 1; k < stride; k++) data[hb + k] = data[jb + k]!;
      hole = j;
    }
    data[hole * stride] = -1;
    this.count--;
  }

  private grow(): void {
    const old = this.data;
    const stride = this.stride;
    const cap = (this.mask + 1) * 2;
    this.data = new Float64Array(cap * stride).fill(-1);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
    for (let b = 0; b < old.length; b += stride) {
      if (old[b] === -1) continue;
      const nb = this.probe(old[b]!);
      this.claim(nb, old[b]!);
      for (let k = 1; k < stride; k++) this.data[nb + k] = old[b + k]!;
    }
  }
}
