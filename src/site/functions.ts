/**
 * The function table (speedscope's sandwich, Pyroscope's table): every function of a decoded
 * tree with its own and total bytes and allocations, computed in the browser from the columns.
 *
 * A function is its name and file (the line a frame was called from does not split it). Own is
 * what a function's frames allocated themselves (a node's bytes minus its children's); total is
 * every stack the function is on, counted once per stack, so a recursive function's nested
 * frames add nothing to its total. In an inverted tree the allocating frames are the first
 * level: own is theirs, total the same once-per-stack sum. Pruned "smaller frames" nodes are
 * not functions: their bytes count in their parents' totals only.
 */
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag } from "../content/shapes.ts";
import { frameFunction, isUnresolved, type FlameFilter } from "./flame.ts";

export interface FunctionRow {
  key: string;
  /** As the flame graph labels it (native frames by image and offset). */
  name: string;
  filename: string;
  ownBytes: number;
  totalBytes: number;
  ownCount: number;
  totalCount: number;
}

export interface FunctionTableOptions {
  /** The tree is inverted (allocating frames at the first level). */
  inverted?: boolean;
  /**
   * Tell unresolved native frames apart by image and offset (run pages); comparisons match
   * frames by name and file only, as the diff does.
   */
  byNative?: boolean;
}

/** The identity of node `i`'s function (see FunctionRow). */
export function functionKey(tree: TreeData, i: number, byNative = true): string {
  if (byNative && isUnresolved(tree, i)) return `\u0001${tree.native.get(i)}`;
  return `${tree.function[i]}\u0000${tree.filename[i]}`;
}

function hiddenByFilter(tree: TreeData, i: number, f: FlameFilter): boolean {
  const flags = tree.flags[i]!;
  return (f.hideUninteresting && !(flags & NodeFlag.INTERESTING)) || (f.hideImports && (flags & NodeFlag.IMPORT_SYSTEM) !== 0);
}

/** One row per function of the frames `filter` shows (its thread, its hidden frames left out). */
export function functionTable(tree: TreeData, filter: FlameFilter, options: FunctionTableOptions = {}): FunctionRow[] {
  const value = filter.valueBytes ?? tree.valueBytes;
  const count = filter.nAllocations ?? tree.nAllocations;
  const byNative = options.byNative ?? true;
  const rows = new Map<string, FunctionRow>();
  // How many frames of each function are on the current path: total counts the outermost one.
  const onPath = new Map<string, number>();
  // Iterative depth-first walk; a negative entry leaves node ~entry.
  const work: number[] = [];
  for (const c of tree.children[0]!) if (!filter.thread || tree.thread[c] === filter.thread) work.push(c);
  while (work.length > 0) {
    const w = work.pop()!;
    if (w < 0) {
      const key = functionKey(tree, ~w, byNative);
      onPath.set(key, onPath.get(key)! - 1);
      continue;
    }
    const i = w;
    const bytes = value[i]!;
    const n = count[i]!;
    if (bytes <= 0 && n <= 0) continue;
    const isFunction = !(tree.flags[i]! & NodeFlag.OTHER) && !hiddenByFilter(tree, i, filter);
    if (isFunction) {
      const key = functionKey(tree, i, byNative);
      let row = rows.get(key);
      if (!row) {
        row = { key, name: frameFunction(tree, i), filename: tree.filename[i] === "<unknown>" ? "" : tree.filename[i]!, ownBytes: 0, totalBytes: 0, ownCount: 0, totalCount: 0 };
        rows.set(key, row);
      }
      const depth = onPath.get(key) ?? 0;
      if (depth === 0) {
        row.totalBytes += bytes;
        row.totalCount += n;
      }
      if (options.inverted) {
        if (tree.parent[i] === 0) {
          row.ownBytes += bytes;
          row.ownCount += n;
        }
      } else {
        let childBytes = 0;
        let childCount = 0;
        for (const c of tree.children[i]!) {
          childBytes += value[c]!;
          childCount += count[c]!;
        }
        row.ownBytes += bytes - childBytes;
        row.ownCount += n - childCount;
      }
      onPath.set(key, depth + 1);
      work.push(~i);
    }
    for (const c of tree.children[i]!) work.push(c);
  }
  return [...rows.values()];
}

export interface FunctionChange {
  key: string;
  name: string;
  filename: string;
  base: FunctionRow | null;
  head: FunctionRow | null;
}

/** Base and head rows side by side, by function; a function of one run only has null on the other side. */
export function functionChanges(base: FunctionRow[], head: FunctionRow[]): FunctionChange[] {
  const out = new Map<string, FunctionChange>();
  for (const r of base) out.set(r.key, { key: r.key, name: r.name, filename: r.filename, base: r, head: null });
  for (const r of head) {
    const c = out.get(r.key);
    if (c) c.head = r;
    else out.set(r.key, { key: r.key, name: r.name, filename: r.filename, base: null, head: r });
  }
  return [...out.values()];
}
