/**
 * A hash map from a pair of int32s to an int32, on typed arrays. The stack table looks up
 * (parent node, frame) for every FRAME_PUSH; a Map keyed by `parent * 2^26 + frame` would box
 * most keys as heap numbers.
 */
import { release } from "../shared/typed-arrays.ts";

export class IntPairTable {
  private a: Int32Array;
  private b: Int32Array;
  private values: Int32Array;
  private shift: number;
  private mask: number;
  private size = 0;

  constructor(capacity = 1 << 12) {
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  /** The value stored for (a, b), or −1. */
  get(a: number, b: number): number {
    let i = pairHome(a, b, this.shift);
    while (this.values[i] !== -1) {
      if (this.a[i] === a && this.b[i] === b) return this.values[i]!;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /** Store a value (≥ 0) for a pair not yet present. */
  add(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask) this.grow();
    let i = pairHome(a, b, this.shift);
    while (this.values[i] !== -1) i = (i + 1) & this.mask;
    this.a[i] = a;
    this.b[i] = b;
    this.values[i] = value;
    this.size++;
  }

  /** Frees the table's memory now (see shared/typed-arrays.ts); the table is spent. */
  release(): void {
    for (const column of [this.a, this.b, this.values]) release(column);
  }

  private grow(): void {
    const { a, b, values } = this;
    const capacity = values.length * 2;
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== -1) this.add(a[i]!, b[i]!, values[i]!);
    for (const column of [a, b, values]) release(column);
  }
}

/**
 * A hash set of ids keyed by a pair of int32s that the caller already stores in two columns
 * (id → a, id → b): one Int32 column instead of IntPairTable's three. The stack table's child
 * index is this (its keys are stackParent and stackFrame): 32 MB instead of 96 MB for 3.1M stack
 * nodes (generated_cardinality).
 */
export class PairIdIndex {
  private ids: Int32Array;
  private shift: number;
  private mask: number;
  private size = 0;
  /** The ids held are exactly firstId, firstId + 1 … lastId (how the stack table adds them), or −1. */
  private firstId = -1;
  private lastId = -1;

  constructor(capacity = 1 << 12) {
    this.ids = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  /** The id whose keys are (a, b), or −1. */
  get(a: number, b: number, keysA: Int32Array, keysB: Int32Array): number {
    const ids = this.ids;
    let i = pairHome(a, b, this.shift);
    for (let id = ids[i]!; id !== -1; id = ids[i]!) {
      if (keysA[id] === a && keysB[id] === b) return id;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /** Add an id (≥ 0) whose pair (keysA[id], keysB[id]) is not yet present. */
  add(id: number, keysA: Int32Array, keysB: Int32Array): void {
    if ((this.size + 1) * 2 > this.mask) this.grow(keysA, keysB);
    this.place(id, keysA[id]!, keysB[id]!);
    if (this.size === 0) this.firstId = id;
    else if (this.firstId >= 0 && id !== this.lastId + 1) this.firstId = -1;
    this.lastId = id;
    this.size++;
  }

  private place(id: number, a: number, b: number): void {
    let i = pairHome(a, b, this.shift);
    while (this.ids[i] !== -1) i = (i + 1) & this.mask;
    this.ids[i] = id;
  }

  /** Frees the index's memory now (see shared/typed-arrays.ts); the index is spent. */
  release(): void {
    release(this.ids);
  }

  private grow(keysA: Int32Array, keysB: Int32Array): void {
    const old = this.ids;
    const capacity = old.length * 2;
    this.ids = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    if (this.firstId >= 0) {
      // Contiguous ids: re-place them in id order, so that their keys are read in order, not
      // at random (the rehashes were 230 ms of generated_cardinality's 970 ms decode).
      for (let id = this.firstId; id <= this.lastId; id++) this.place(id, keysA[id]!, keysB[id]!);
    } else {
      for (let i = 0; i < old.length; i++) {
        const id = old[i]!;
        if (id !== -1) this.place(id, keysA[id]!, keysB[id]!);
      }
    }
    release(old);
  }
}

function pairHome(a: number, b: number, shift: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> shift;
}
