/**
 * The biggest allocating locations at the peak: what a call-site trend plots across commits and
 * what a comparison names. Pure: reads a flame tree, no I/O.
 */
import type { FlameColumns, FrameKey } from "./model.ts";

/** One allocating location and what it holds at the peak (its self bytes, not its callees'). */
export interface CallSite extends FrameKey {
  sizeBytes: number;
  nAllocations: number;
}

/** Call sites kept per run: enough for a readable stacked chart, small enough to keep forever. */
export const DEFAULT_TOP_CALL_SITES = 20;

/**
 * Self bytes per (function, filename, lineno) over a flame tree (the root itself excluded),
 * summed over every path that reaches the location, the `limit` biggest first. Ties are broken
 * by allocation count, then function, file and line, so the order never depends on the tree's
 * child order.
 */
export function topCallSites(tree: FlameColumns | null, limit = DEFAULT_TOP_CALL_SITES): CallSite[] {
  if (tree === null) return [];
  const n = tree.size;
  // Self figures: a node's own minus its children's.
  const selfBytes = tree.valueBytes.slice(0, n);
  const selfCount = tree.nAllocations.slice(0, n);
  for (let i = 1; i < n; i++) {
    const p = tree.parent[i]!;
    selfBytes[p] = selfBytes[p]! - tree.valueBytes[i]!;
    selfCount[p] = selfCount[p]! - tree.nAllocations[i]!;
  }
  const sites = new Map<string, CallSite>();
  for (let i = 1; i < n; i++) {
    const sizeBytes = selfBytes[i]!;
    const nAllocations = selfCount[i]!;
    if (sizeBytes <= 0 && nAllocations <= 0) continue;
    const f = tree.frames[tree.frame[i]!]!;
    const key = `${f.function}\0${f.filename}\0${f.lineno}`;
    const site = sites.get(key);
    if (site) {
      site.sizeBytes += sizeBytes;
      site.nAllocations += nAllocations;
    } else {
      sites.set(key, { function: f.function, filename: f.filename, lineno: f.lineno, sizeBytes, nAllocations });
    }
  }
  const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...sites.values()]
    .filter((s) => s.sizeBytes > 0)
    .sort(
      (a, b) =>
        b.sizeBytes - a.sizeBytes ||
        b.nAllocations - a.nAllocations ||
        byText(a.function, b.function) ||
        byText(a.filename, b.filename) ||
        a.lineno - b.lineno,
    )
    .slice(0, limit);
}
