/**
 * A hash map from a pair of int32s to an int32, on typed arrays. The stack table looks up
 * (parent node, frame) for every FRAME_PUSH; a Map keyed by `parent * 2^26 + frame` would box
 * most keys as heap numbers.
 */
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

  private home(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) >>> this.shift;
  }

  /** The value stored for (a, b), or −1. */
  get(a: number, b: number): number {
    let i = this.home(a, b);
    while (this.values[i] !== -1) {
      if (this.a[i] === a && this.b[i] === b) return this.values[i]!;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  /** Store a value (≥ 0) for a pair not yet present. */
  add(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask) this.grow();
    let i = this.home(a, b);
    while (this.values[i] !== -1) i = (i + 1) & this.mask;
    this.a[i] = a;
    this.b[i] = b;
    this.values[i] = value;
    this.size++;
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
  }
}
