/**
 * Per-node bytes and allocations for a time range of a temporal flame graph, as memray's
 * temporal page computes them, summed straight off the decoded interval columns: no
 * per-interval objects, one pass over the intervals, one over the nodes.
 */
import type { TemporalColumns } from "../content/columnar.ts";

export interface RangeResult {
  /** Per node, descendants included. */
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  /** HWM mode: the snapshot chosen (ties to the earliest), else -1. */
  snapshot: number;
}

/** i0 = the first sample at or after t0 (else 0); i1 = the first sample after t1 (else the count). */
export function snapshotRange(timesMs: readonly number[], t0: number, t1: number): { i0: number; i1: number } {
  let i0 = timesMs.findIndex((t) => t >= t0);
  if (i0 < 0) i0 = 0;
  let i1 = timesMs.findIndex((t) => t > t1);
  if (i1 < 0) i1 = timesMs.length;
  return { i0, i1 };
}

export function valuesForRange(data: TemporalColumns, timesMs: readonly number[], t0: number, t1: number): RangeResult {
  const { i0, i1 } = snapshotRange(timesMs, t0, t1);
  const size = data.tree.size;
  const parent = data.tree.parent;
  const own = new Float64Array(size);
  const ownCount = new Float64Array(size);
  let snapshot = -1;
  const { allocatedBefore, deallocatedBefore, node, nAllocations, nBytes } = data;
  if (data.mode === "highWaterMark") {
    const hwms = data.highWaterMarkBySnapshot ?? [];
    let best = -Infinity;
    snapshot = i0;
    for (let i = i0; i <= i1; i++) {
      const v = hwms[i];
      if (v !== undefined && v > best) {
        best = v;
        snapshot = i;
      }
    }
    const h = snapshot;
    for (let k = 0; k < node.length; k++) {
      const d = deallocatedBefore[k]!;
      if (allocatedBefore[k]! <= h && (d < 0 || d > h)) {
        own[node[k]!]! += nBytes[k]!;
        ownCount[node[k]!]! += nAllocations[k]!;
      }
    }
  } else {
    for (let k = 0; k < node.length; k++) {
      const a = allocatedBefore[k]!;
      const d = deallocatedBefore[k]!;
      if (a >= i0 && a <= i1 && (d < 0 || d > i1)) {
        own[node[k]!]! += nBytes[k]!;
        ownCount[node[k]!]! += nAllocations[k]!;
      }
    }
  }
  // Nodes are in preorder (a parent before its children): one backward pass adds each node's
  // total into its parent.
  const valueBytes = own;
  const count = ownCount;
  for (let i = size - 1; i > 0; i--) {
    const p = parent[i]!;
    valueBytes[p]! += valueBytes[i]!;
    count[p]! += count[i]!;
  }
  return { valueBytes, nAllocations: count, snapshot };
}
