/**
 * Per-node bytes for a time range (§5.4, memray's temporal_flamegraph.js): the high-water mark
 * inside the range, or the allocations made in it and never freed.
 */
import type { TemporalColumns } from "../content/columnar.ts";

export interface RangeResult {
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  /** HWM mode: the snapshot index chosen, else -1. */
  snapshot: number;
}

/** Snapshot indices bounding [t0, t1] in the memory samples' times (§5.4). */
export function snapshotRange(timesMs: ArrayLike<number>, t0: number, t1: number): [number, number] {
  let i0 = -1;
  let i1 = -1;
  for (let i = 0; i < timesMs.length; i++) {
    if (i0 < 0 && timesMs[i]! >= t0) i0 = i;
    if (i1 < 0 && timesMs[i]! > t1) i1 = i;
  }
  return [i0 < 0 ? 0 : i0, i1 < 0 ? timesMs.length : i1];
}

export function valuesForRange(data: TemporalColumns, i0: number, i1: number): RangeResult {
  const size = data.tree.size;
  const valueBytes = new Float64Array(size);
  const nAllocations = new Float64Array(size);
  let snapshot = -1;
  const include: (ab: number, db: number) => boolean = (() => {
    if (data.mode === "highWaterMark") {
      const hwms = data.highWaterMarkBySnapshot ?? [];
      let h = Math.min(i0, hwms.length - 1);
      for (let i = i0; i <= i1 && i < hwms.length; i++) if (hwms[i]! > hwms[h]!) h = i;
      snapshot = Math.max(0, h);
      return (ab, db) => ab <= snapshot && (db < 0 || db > snapshot);
    }
    return (ab, db) => ab >= i0 && ab <= i1 && (db < 0 || db > i1);
  })();
  for (let k = 0; k < data.node.length; k++) {
    if (!include(data.allocatedBefore[k]!, data.deallocatedBefore[k]!)) continue;
    const node = data.node[k]!;
    valueBytes[node]! += data.nBytes[k]!;
    nAllocations[node]! += data.nAllocations[k]!;
  }
  // Preorder: children come after parents, so one backwards pass sums subtrees.
  for (let i = size - 1; i > 0; i--) {
    const p = data.tree.parent[i]!;
    valueBytes[p]! += valueBytes[i]!;
    nAllocations[p]! += nAllocations[i]!;
  }
  return { valueBytes, nAllocations, snapshot };
}
