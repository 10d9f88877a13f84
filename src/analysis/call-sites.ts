/**
 * The biggest allocating locations at the peak: what a call-site trend plots across commits and
 * what a comparison names. Pure: reads a flame tree, no I/O.
 */
import type { FlameNode, FrameKey } from "./model.ts";

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
export function topCallSites(root: FlameNode | null, limit = DEFAULT_TOP_CALL_SITES): CallSite[] {
  if (root === null) return [];
  const sites = new Map<string, CallSite>();
  const stack: FlameNode[] = [...root.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    let childBytes = 0;
    let childAllocations = 0;
    for (const child of node.children) {
      childBytes += child.valueBytes;
      childAllocations += child.nAllocations;
      stack.push(child);
    }
    const sizeBytes = node.valueBytes - childBytes;
    const nAllocations = node.nAllocations - childAllocations;
    if (sizeBytes <= 0 && nAllocations <= 0) continue;
    const key = `${node.function}\0${node.filename}\0${node.lineno}`;
    const site = sites.get(key);
    if (site) {
      site.sizeBytes += sizeBytes;
      site.nAllocations += nAllocations;
    } else {
      sites.set(key, { function: node.function, filename: node.filename, lineno: node.lineno, sizeBytes, nAllocations });
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
