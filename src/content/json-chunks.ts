/**
 * JSON.stringify's exact text, as UTF-8 bytes handed out a buffer at a time: a data file of any
 * size is written without one string holding it (V8 caps one string near 512 MB). Plain data only
 * (objects, arrays, strings, numbers, booleans, null), typed arrays and number streams, both
 * written as the arrays of their numbers (the writer's columns, so they need no copy as number[]).
 */

/** A column of numbers made as it is written, never held whole (the writer's merged intervals). */
export interface NumberStream {
  readonly length: number;
  /** Values [start, start + out.length) into `out`; called with increasing starts from 0. */
  fill(start: number, out: Float64Array): void;
}

/** Not an array (whose `fill` is Array.prototype.fill) nor a typed array. */
export function isNumberStream(v: unknown): v is NumberStream {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    typeof (v as NumberStream).fill === "function" &&
    typeof (v as NumberStream).length === "number"
  );
}

/** Array elements stringified at a time (JSON.stringify of a slice, brackets cut). */
const SLICE = 1 << 14;
/** Bytes handed to the sink at a time. */
const CHUNK_BYTES = 1 << 20;
/** Room for one number past a full chunk: "-" and 16 digits, or JSON.stringify's longest (24). */
const NUMBER_BYTES = 25;

// Numbers are formatted straight into the output bytes: their text is ASCII, and a string per
// slice, decoded and then encoded again to UTF-8, was 0.3 s of pyalloc x16's 35M numbers.
const encoder = new TextEncoder();

/** "00".."99", two ASCII digits per pair: half the divisions of a digit at a time. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/**
 * Writes into a buffer and hands it to `sink` when full. The bytes `sink` gets are a view of the
 * buffer, valid only during the call.
 */
class ByteWriter {
  private readonly buf = new Uint8Array(CHUNK_BYTES + NUMBER_BYTES * 2);
  private p = 0;
  private readonly sink: (bytes: Uint8Array) => void;
  constructor(sink: (bytes: Uint8Array) => void) {
    this.sink = sink;
  }

  flush(): void {
    if (this.p > 0) this.sink(this.buf.subarray(0, this.p));
    this.p = 0;
  }

  byte(b: number): void {
    if (this.p >= CHUNK_BYTES) this.flush();
    this.buf[this.p++] = b;
  }

  text(s: string): void {
    if (this.p >= CHUNK_BYTES) this.flush();
    // UTF-8 is at most 3 bytes per UTF-16 unit.
    if (s.length * 3 <= this.buf.length - this.p) {
      this.p += encoder.encodeInto(s, this.buf.subarray(this.p)).written;
      return;
    }
    // Too long for the room left: its bytes fill this chunk and go on in the next ones.
    const bytes = encoder.encode(s);
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(CHUNK_BYTES - this.p, bytes.length - at);
      this.buf.set(bytes.subarray(at, at + n), this.p);
      this.p += n;
      at += n;
      if (this.p >= CHUNK_BYTES) this.flush();
    }
  }

  /** `JSON.stringify(a[i])` for i in [start, end), comma-separated (JSON's text of each number). */
  numbers(a: ArrayLike<number>, start: number, end: number): void {
    const out = this.buf;
    let p = this.p;
    for (let i = start; i < end; i++) {
      if (p >= CHUNK_BYTES) {
        this.p = p;
        this.flush();
        p = 0;
      }
      if (i > start) out[p++] = 44; // ","
      const v = a[i]!;
      let u = v | 0;
      if (u === v && u !== -2147483648) {
        // An int32 (−0 too, which JSON writes "0"): int arithmetic, two digits at a time.
        if (u < 0) {
          out[p++] = 45; // "-"
          u = -u;
        }
        const digits = u < 10 ? 1 : u < 100 ? 2 : u < 1000 ? 3 : u < 10000 ? 4 : u < 100000 ? 5 : u < 1000000 ? 6 : u < 10000000 ? 7 : u < 100000000 ? 8 : u < 1000000000 ? 9 : 10;
        let q = (p += digits);
        while (u >= 100) {
          const next = (u / 100) | 0;
          const r = (u - next * 100) << 1;
          out[--q] = PAIRS[r + 1]!;
          out[--q] = PAIRS[r]!;
          u = next;
        }
        if (u >= 10) {
          out[--q] = PAIRS[(u << 1) + 1]!;
          out[--q] = PAIRS[u << 1]!;
        } else {
          out[--q] = 48 + u;
        }
      } else if (Number.isSafeInteger(v)) {
        // A safe integer's shortest round-trip text is its digits: every integer near it is a
        // double, so no shorter decimal reads back as it. Byte counts past 2 GiB, mostly.
        let w = v;
        if (w < 0) {
          out[p++] = 45;
          w = -w;
        }
        let digits = 10;
        for (let t = 1e10; t <= w && digits < 16; t *= 10) digits++;
        let q = (p += digits);
        for (let d = 0; d < digits; d++) {
          const r = w % 10;
          out[--q] = 48 + r;
          w = (w - r) / 10;
        }
      } else {
        const text = JSON.stringify(v);
        for (let k = 0; k < text.length; k++) out[p++] = text.charCodeAt(k);
      }
    }
    this.p = p;
  }
}

/** Values of a stream taken at a time (a fixed scratch column). */
const streamScratch = new Float64Array(SLICE);

/** Writes the bytes of `JSON.stringify(value)` to `sink`, about a megabyte at a time. */
export function writeJson(value: unknown, sink: (bytes: Uint8Array) => void): void {
  const w = new ByteWriter(sink);
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      // A typed array: the JSON array of its numbers (JSON.stringify would write an object).
      const a = v as unknown as Float64Array;
      w.byte(91); // "["
      w.numbers(a, 0, a.length);
      w.byte(93); // "]"
    } else if (isNumberStream(v)) {
      w.byte(91);
      for (let start = 0; start < v.length; start += SLICE) {
        const out = streamScratch.subarray(0, Math.min(SLICE, v.length - start));
        v.fill(start, out);
        if (start > 0) w.byte(44);
        w.numbers(out, 0, out.length);
      }
      w.byte(93);
    } else if (Array.isArray(v)) {
      if (v.length <= SLICE) {
        w.text(JSON.stringify(v));
        return;
      }
      w.byte(91);
      for (let start = 0; start < v.length; start += SLICE) {
        if (start > 0) w.byte(44);
        w.text(JSON.stringify(v.slice(start, start + SLICE)).slice(1, -1));
      }
      w.byte(93);
    } else if (v !== null && typeof v === "object") {
      w.byte(123); // "{"
      let first = true;
      for (const [key, item] of Object.entries(v)) {
        // JSON.stringify leaves out what it cannot write.
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        w.text(`${first ? "" : ","}${JSON.stringify(key)}:`);
        first = false;
        walk(item);
      }
      w.byte(125); // "}"
    } else {
      w.text(JSON.stringify(v));
    }
  };
  walk(value);
  w.flush();
}
