/**
 * Hash tables on typed arrays for the per-record hot path: the live simple allocations by
 * address, and a resettable "seen since the last peak" address set. Open addressing with linear
 * probing; nothing is allocated per record. Addresses are integers below 2^53.
 */

function hashAddress(address: number, mask: number): number {
  // Allocator addresses are 8- or 16-byte aligned, so mix the high half in and spread with a
  // multiplicative hash before masking.
  const lo = address >>> 0;
  const hi = (address / 4294967296) >>> 0;
  return (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 7) & mask;
}

/** address → (size, seq, location id, temporal generation) for live simple allocations. */
export class LiveTable {
  used: Uint8Array;
  keys: Float64Array;
  sizeBytes: Float64Array;
  seq: Float64Array;
  loc: Int32Array;
  gen: Int32Array;
  count = 0;
  private mask: number;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.used = new Uint8Array(cap);
    this.keys = new Float64Array(cap);
    this.sizeBytes = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    this.loc = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** The slot holding `address`, or −1. */
  find(address: number): number {
    const mask = this.mask;
    let i = hashAddress(address, mask);
    while (this.used[i] === 1) {
      if (this.keys[i] === address) return i;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Insert or overwrite; returns the slot. */
  set(address: number, sizeBytes: number, seq: number, loc: number, gen: number): number {
    if ((this.count + 1) * 4 > this.capacity * 3) this.grow();
    const mask = this.mask;
    let i = hashAddress(address, mask);
    while (this.used[i] === 1) {
      if (this.keys[i] === address) break;
      i = (i + 1) & mask;
    }
    if (this.used[i] === 0) {
      this.used[i] = 1;
      this.keys[i] = address;
      this.count++;
    }
    this.sizeBytes[i] = sizeBytes;
    this.seq[i] = seq;
    this.loc[i] = loc;
    this.gen[i] = gen;
    return i;
  }

  /** Delete the entry in `slot` (backward-shift deletion keeps probe chains intact). */
  removeSlot(slot: number): void {
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      if (this.used[j] === 0) break;
      const home = hashAddress(this.keys[j]!, mask);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (inRange) continue;
      this.keys[hole] = this.keys[j]!;
      this.sizeBytes[hole] = this.sizeBytes[j]!;
      this.seq[hole] = this.seq[j]!;
      this.loc[hole] = this.loc[j]!;
      this.gen[hole] = this.gen[j]!;
      hole = j;
    }
    this.used[hole] = 0;
    this.count--;
  }

  /** Calls `fn(slot)` for every live entry. */
  forEach(fn: (slot: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.used[i] === 1) fn(i);
  }

  private grow(): void {
    const old = { used: this.used, keys: this.keys, size: this.sizeBytes, seq: this.seq, loc: this.loc, gen: this.gen };
    const cap = this.capacity * 2;
    this.used = new Uint8Array(cap);
    this.keys = new Float64Array(cap);
    this.sizeBytes = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    this.loc = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < old.used.length; i++) {
      if (old.used[i] === 1) this.set(old.keys[i]!, old.size[i]!, old.seq[i]!, old.loc[i]!, old.gen[i]!);
    }
  }
}

/**
 * A set of addresses that can be emptied in O(1) by bumping an epoch: entries from older epochs
 * count as free slots. Safe because nothing is deleted within an epoch, so every current entry
 * sits before the first free slot of its probe chain.
 */
export class EpochAddressSet {
  private keys: Float64Array;
  private epochs: Int32Array;
  private epoch = 1;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 1 << 10) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.keys = new Float64Array(cap);
    this.epochs = new Int32Array(cap);
    this.mask = cap - 1;
  }

  clear(): void {
    this.epoch++;
    this.count = 0;
  }

  /** Adds `address`; true if it was not already present in this epoch. */
  add(address: number): boolean {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const mask = this.mask;
    const epoch = this.epoch;
    let i = hashAddress(address, mask);
    while (this.epochs[i] === epoch) {
      if (this.keys[i] === address) return false;
      i = (i + 1) & mask;
    }
    this.keys[i] = address;
    this.epochs[i] = epoch;
    this.count++;
    return true;
  }

  private grow(): void {
    const keys = this.keys;
    const epochs = this.epochs;
    const cap = (this.mask + 1) * 2;
    this.keys = new Float64Array(cap);
    this.epochs = new Int32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (epochs[i] === this.epoch) this.add(keys[i]!);
  }
}
