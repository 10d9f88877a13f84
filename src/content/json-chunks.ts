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
        yield* emit((start > 0 ? "," : "") + JSON.stringify(Array.from(a.subarray(start, start + SLICE))).slice(1, -1));
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
