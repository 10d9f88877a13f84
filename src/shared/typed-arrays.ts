/** Growing typed columns: the analysis' builders and the content stage's writers share it. */

/** The same kind of typed array, `n` long, with `a`'s values first. */
export function grown<T extends Int16Array | Int32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
