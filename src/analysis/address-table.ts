/**
 * A hash table from address to a number, on typed arrays: linear probing with backward-shift
 * deletion, so there are no tombstones and no per-entry objects; a JS Map would box most keys
 * as heap numbers. It backs `stats`' peak tracking, which needs only address → size. The
 * collector's LiveTable carries four numbers per entry and measured ~15% slower for this
 * (0.3 s of `stats` on the 20M-record bench capture), hence two tables.
 */
export class AddressTable {
  private keys: Float64Array;
  /** Per-slot value (for example the allocation's size). */
  values: Float64Array;
  private used: Uint8Array;
  private mask: number;
  /** 32 − log2(capacity): Fibonacci hashing keeps the product's high bits. */
  private shift: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  /**
   * Slot of an address. Addresses are 8- or 16-byte aligned, so the low bits of any product
   * are mostly zero: take the high bits of a multiplicative (Fibonacci) hash instead.
   */
  private home(address: number): number {
    const lo = address | 0; // the low 32 bits (exact below 2^53)
    const hi = (address / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `address`, or −1. */
  find(address: number): number {
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = this.home(address);
    while (used[i] === 1) {
      if (keys[i] === address) return i;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Insert or overwrite; returns the slot. */
  set(address: number, value: number): number {
    if (this.size * 2 >= this.mask) this.grow();
    const keys = this.keys;
    const used = this.used;
    const mask = this.mask;
    let i = this.home(address);
    while (used[i] === 1) {
      if (keys[i] === address) {
        this.values[i] = value;
        return i;
      }
      i = (i + 1) & mask;
    }
    used[i] = 1;
    keys[i] = address;
    this.values[i] = value;
    this.size++;
    return i;
  }

  /** Remove `address` and return its value, or −1 when it is not there: one probe for a free. */
  remove(address: number): number {
    const slot = this.find(address);
    if (slot < 0) return -1;
    const value = this.values[slot]!;
    this.deleteSlot(slot);
    return value;
  }

  /** Remove the entry in `slot` (from `find`), shifting later probes back into place. */
  deleteSlot(slot: number): void {
    const keys = this.keys;
    const values = this.values;
    const used = this.used;
    const mask = this.mask;
    let hole = slot;
    let i = (slot + 1) & mask;
    while (used[i] === 1) {
      const home = this.home(keys[i]!);
      // Move entry i into the hole unless its home lies cyclically in (hole, i].
      if (hole <= i ? home <= hole || home > i : home <= hole && home > i) {
        keys[hole] = keys[i]!;
        values[hole] = values[i]!;
        hole = i;
      }
      i = (i + 1) & mask;
    }
    used[hole] = 0;
    this.size--;
  }

  /** Visit every (address, slot). */
  forEach(fn: (address: number, slot: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.used[i] === 1) fn(this.keys[i]!, i);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldUsed = this.used;
    const capacity = oldKeys.length * 2;
    this.keys = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.used = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldUsed[i] === 1) this.set(oldKeys[i]!, oldValues[i]!);
    }
  }
}
