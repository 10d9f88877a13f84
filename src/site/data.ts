/** Lazy, cached fetches of a run's static data files. */
import { decodeTemporal, decodeTree, type TemporalColumns, type TreeData } from "../content/columnar.ts";
import type { ColumnarTree, DataRef, MemoryFile, SourceFile, TemporalFile } from "../content/shapes.ts";

const cache = new Map<string, Promise<unknown>>();

function fetchJson<T>(base: string, ref: DataRef, decode: (raw: never) => T): Promise<T> {
  const url = `${base}${ref.path}`;
  let p = cache.get(url) as Promise<T> | undefined;
  if (!p) {
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`${ref.path}: HTTP ${r.status}`);
      return decode((await r.json()) as never);
    });
    cache.set(url, p);
    // A failed load is not kept: a retry fetches again.
    p.catch(() => {
      if (cache.get(url) === p) cache.delete(url);
    });
  }
  return p;
}

/** Drop a cached file, so the next load fetches it again. */
export function forget(base: string, path: string): void {
  cache.delete(`${base}${path}`);
}

export const loadTree = (base: string, ref: DataRef): Promise<TreeData> =>
  fetchJson(base, ref, (raw: ColumnarTree) => decodeTree(raw));
export const loadTemporal = (base: string, ref: DataRef): Promise<TemporalColumns> =>
  fetchJson(base, ref, (raw: TemporalFile) => decodeTemporal(raw));
export const loadMemory = (base: string, ref: DataRef): Promise<MemoryFile> => fetchJson(base, ref, (raw: MemoryFile) => raw);
export const loadSource = (base: string, ref: DataRef): Promise<SourceFile> => fetchJson(base, ref, (raw: SourceFile) => raw);

/** The source line a frame points at, when the build found its file. */
export function sourceLine(source: SourceFile | null, filename: string, lineno: number): string | null {
  return source?.files[filename]?.[String(lineno)] ?? null;
}
