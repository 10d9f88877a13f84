/**
 * Resizing and freeing typed columns: the reader's tables, the analysis' builders and the content
 * stage's writers share it.
 *
 * A spent column's memory is freed at once, by moving its buffer away
 * (`ArrayBuffer.prototype.transfer`, which detaches it). Dropped, it waits for V8's next major GC,
 * and each column that doubled, was trimmed or was spent stayed resident until then: freed at
 * once, the ingest peaks were ~45 MB lower (generated_pyalloc_x16 301 → 258 MiB,
 * generated_cardinality 455 → 408, a real sympy capture 345 → 303).
 *
 * The cost, measured: a thread's first detach tells V8 that buffers can be detached, and its
 * optimized code checks for that from then on: one detach at the start of a ×16 ingest, and no
 * other change, took it from 3.0 to 3.3 s (medians of 3).
 */

type Column = Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array | Uint8Array;

/**
 * The same kind of typed array, `n` long, with `a`'s first values (the rest 0). `a` is spent: its
 * memory is freed now (when it is its buffer's whole view, as every column here is), so nothing
 * may keep another view of it. Shorter, its buffer moves (realloc shrinks it in place); longer, it
 * is copied into a new one: a move there has Node zero the new part at once (realloc + memset),
 * and generated_cardinality's tables at twice their count were then resident whole (+30 MB at
 * its peak), where a new buffer's pages become resident as they are written.
 */
export function resized<T extends Column>(a: T, n: number): T {
  const buffer = a.buffer;
  if (n <= a.length && movable(a, buffer)) return new (a.constructor as new (b: ArrayBuffer) => T)(buffer.transfer(n * a.BYTES_PER_ELEMENT));
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(n < a.length ? a.subarray(0, n) : a);
  release(a);
  return b;
}

/** Frees `a`'s memory now, not at the next major GC (see the module comment); `a` is left empty. */
export function release(a: Column): void {
  const buffer = a.buffer;
  if (movable(a, buffer)) buffer.transfer(0);
}

/** Whether `a` is the whole of a plain, fixed-length buffer (and the runtime can move one: Node 22, browsers since 2023). */
function movable(a: Column, buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && typeof buffer.transfer === "function" && !buffer.resizable && a.byteOffset === 0 && a.byteLength === buffer.byteLength;
}
