/**
 * A bounds-checked little-endian cursor over one section's bytes. Every read past the end throws
 * SymbolsFormatError, so hostile sizes and offsets end a look-up instead of reading garbage.
 * 64-bit values are plain numbers: exact below 2^53, which covers every user-space address.
 */

export class SymbolsFormatError extends Error {}

const TEXT = new TextDecoder("utf-8");

export class ByteCursor {
  readonly bytes: Uint8Array;
  pos: number;
  /** Exclusive end of the readable window. */
  end: number;
  // No DataView: cursors are made by the thousand (one per unit, range list, reference), and
  // byte arithmetic is as fast without the allocation.
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    if (pos < 0 || end > bytes.length || pos > end) throw new SymbolsFormatError(`window [${pos}, ${end}) outside ${bytes.length} bytes`);
    this.pos = pos;
    this.end = end;
  }

  get left(): number {
    return this.end - this.pos;
  }

  /** A cursor over the next `length` bytes (this one moves past them). */
  sub(length: number): ByteCursor {
    this.need(length);
    const c = new ByteCursor(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return c;
  }

  need(n: number): void {
    if (!(n >= 0) || n > this.end - this.pos) throw new SymbolsFormatError(`need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  i8(): number {
    this.need(1);
    return (this.bytes[this.pos++]! << 24) >> 24;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8) | (b[this.pos + 2]! << 16);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.u32At(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const lo = this.u32At(this.pos);
    const hi = this.u32At(this.pos + 4);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  private u32At(p: number): number {
    const b = this.bytes;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** An address of `size` bytes (4 or 8); `allOnes` is set when every bit was 1. */
  address(size: number): number {
    if (size === 8) return this.u64();
    if (size === 4) return this.u32();
    if (size === 2) return this.u16();
    if (size === 1) return this.u8();
    throw new SymbolsFormatError(`address size ${size}`);
  }

  /** True when the next `size` bytes are all 0xff (DWARF's "base address selection" marker). */
  peekAllOnes(size: number): boolean {
    this.need(size);
    for (let i = 0; i < size; i++) if (this.bytes[this.pos + i] !== 0xff) return false;
    return true;
  }

  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i < 10) result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
  }

  sleb(): number {
    let result = 0;
    let scale = 1;
    let b: number;
    let i = 0;
    do {
      b = this.u8();
      if (i++ < 10) result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    if (b & 0x40 && i <= 10) result -= scale;
    return result;
  }

  /** A NUL-terminated string's start; the cursor moves past the NUL. */
  cstrOffset(): number {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= this.end) throw new SymbolsFormatError(`unterminated string at ${start}`);
    this.pos = nul + 1;
    return start;
  }

  cstr(): string {
    const start = this.cstrOffset();
    return cstringAt(this.bytes, start);
  }
}

/** The NUL-terminated string at `offset` of `bytes` (to the end when unterminated). */
export function cstringAt(bytes: Uint8Array, offset: number): string {
  if (offset < 0 || offset >= bytes.length) throw new SymbolsFormatError(`string offset ${offset} past ${bytes.length}`);
  // Symbol and file names are nearly always short ASCII: build those directly (TextDecoder's
  // per-call cost dominates for thousands of names).
  let s = "";
  for (let i = offset; i < bytes.length && i - offset < 256; i++) {
    const b = bytes[i]!;
    if (b === 0) return s;
    if (b >= 0x80) break;
    s += String.fromCharCode(b);
  }
  let nul = bytes.indexOf(0, offset);
  if (nul < 0) nul = bytes.length;
  return TEXT.decode(bytes.subarray(offset, nul));
}

/**
 * libbacktrace's own quicksort (middle pivot, not stable): the order it leaves equal keys in
 * decides which of several same-address symbols memray names, so we sort the same way.
 */
export function backtraceSort<T>(a: T[], compare: (x: T, y: T) => number, from = 0, count = a.length): void {
  let base = from;
  let n = count;
  const swap = (i: number, j: number) => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  while (n >= 2) {
    swap(base, base + (n >> 1));
    let mid = 0;
    for (let i = 1; i < n; i++) {
      if (compare(a[base]!, a[base + i]!) > 0) {
        mid++;
        if (i !== mid) swap(base + mid, base + i);
      }
    }
    if (mid > 0) swap(base, base + mid);
    if (2 * mid < n) {
      backtraceSort(a, compare, base, mid);
      base += mid + 1;
      n -= mid + 1;
    } else {
      backtraceSort(a, compare, base + mid + 1, n - (mid + 1));
      n = mid;
    }
  }
}

/** glibc's bsearch: the element its halving meets first, or -1. */
export function glibcBsearch<T>(a: readonly T[], count: number, compare: (entry: T) => number): number {
  let l = 0;
  let u = count;
  while (l < u) {
    const idx = (l + u) >>> 1;
    const c = compare(a[idx]!);
    if (c < 0) u = idx;
    else if (c > 0) l = idx + 1;
    else return idx;
  }
  return -1;
}
