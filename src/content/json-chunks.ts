/**
 * JSON.stringify's exact text, in chunks: a data file of any size is written without one string
 * holding it (V8 caps one string near 512 MB). Plain data only (objects, arrays, strings,
 * numbers, booleans, null) and typed arrays, written as the arrays of their numbers (the
 * writer's columns, so they need no copy as number[]).
 */

/** Array elements stringified at a time (JSON.stringify of a slice, brackets cut). */
const SLICE = 1 << 14;
/** Text handed to the writer at a time. */
const CHUNK_CHARS = 1 << 20;

// A typed array's slice is formatted as ASCII bytes, then decoded once: its numbers are mostly
// int32 (node ids, snapshot numbers, byte counts), whose digits are cheap to write, and a JS array
// per slice for JSON.stringify was most of the writer's time on pyalloc x16's 35M numbers.
const sliceBytes = new Uint8Array(SLICE * 25);
const ascii = new TextDecoder();

/** `JSON.stringify(Array.from(a.subarray(start, end))).slice(1, -1)`, the same text. */
function numbersText(a: ArrayLike<number>, start: number, end: number): string {
  const out = sliceBytes;
  let p = 0;
  for (let i = start; i < end; i++) {
    if (i > start) out[p++] = 44; // ","
    const v = a[i]!;
    let u = v | 0;
    if (u === v && u !== -2147483648) {
      // An int32 (−0 too, which JSON writes "0").
      if (u < 0) {
        out[p++] = 45; // "-"
        u = -u;
      }
      let digits = 1;
      for (let t = u; t >= 10; t = (t / 10) | 0) digits++;
      p += digits;
      for (let q = p - 1; q >= p - digits; q--) {
        out[q] = 48 + (u % 10);
        u = (u / 10) | 0;
      }
    } else {
      const text = JSON.stringify(v);
      for (let k = 0; k < text.length; k++) out[p++] = text.charCodeAt(k);
    }
  }
  return ascii.decode(out.subarray(0, p));
}

/** The text of `JSON.stringify(value)`, in pieces of about a megabyte. */
export function* jsonChunks(value: unknown): Generator<string> {
  let chunk = "";
  function* emit(text: string): Generator<string> {
    chunk += text;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  function* walk(v: unknown): Generator<string> {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      // A typed array: the JSON array of its numbers (JSON.stringify would write an object).
      const a = v as unknown as Float64Array;
      yield* emit("[");
      for (let start = 0; start < a.length; start += SLICE) {
        yield* emit((start > 0 ? "," : "") + numbersText(a, start, Math.min(a.length, start + SLICE)));
      }
      yield* emit("]");
    } else if (Array.isArray(v)) {
      if (v.length <= SLICE) {
        yield* emit(JSON.stringify(v));
        return;
      }
      yield* emit("[");
      for (let start = 0; start < v.length; start += SLICE) {
        yield* emit((start > 0 ? "," : "") + JSON.stringify(v.slice(start, start + SLICE)).slice(1, -1));
      }
      yield* emit("]");
    } else if (v !== null && typeof v === "object") {
      yield* emit("{");
      let first = true;
      for (const [key, item] of Object.entries(v)) {
        // JSON.stringify leaves out what it cannot write.
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        yield* emit(`${first ? "" : ","}${JSON.stringify(key)}:`);
        first = false;
        yield* walk(item);
      }
      yield* emit("}");
    } else {
      yield* emit(JSON.stringify(v));
    }
  }
  yield* walk(value);
  if (chunk !== "") yield chunk;
}
