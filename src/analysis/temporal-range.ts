/**
 * What memray's temporal flame graph shows for a selected time range (docs/capture-format.md §5.4, browser side):
 * per-node bytes and allocation counts at the range's high-water mark, or of the allocations
 * made in the range and never freed within it. Pure and dependency-free: the site runs it.
 */

/** [allocatedBefore, deallocatedBefore | null, nodeIndex, nAllocations, nBytes]. */
export type NodeInterval = readonly [number, number | null, number, number, number];

export type TemporalMode = "highWaterMark" | "leaks";

export interface TemporalRangeResult {
  /** Per node (same indices as `parents`), descendants included. */
  nodeBytes: number[];
  nodeAllocations: number[];
  /** Snapshot indices the range covers: i0 = first sample at/after t0, i1 = first after t1. */
  firstSnapshot: number;
  lastSnapshot: number;
  /** HWM mode: the snapshot interval holding the peak (ties to the earliest); null in leaks mode. */
  peakSnapshot: number | null;
}

/** i0 and i1 for [t0, t1] over the sample times, as memray's page computes them. */
export function snapshotRange(timesMs: readonly number[], t0: number, t1: number): { i0: number; i1: number } {
  let i0 = timesMs.findIndex((t) => t >= t0);
  if (i0 < 0) i0 = 0;
  let i1 = timesMs.findIndex((t) => t > t1);
  if (i1 < 0) i1 = timesMs.length;
  return { i0, i1 };
}

export function temporalNodeTotals(
  mode: TemporalMode,
  timesMs: readonly number[],
  highWaterMarkBySnapshot: readonly number[] | null,
  intervals: readonly NodeInterval[],
  parents: readonly number[],
  t0: number,
  t1: number,
): TemporalRangeResult {
  const { i0, i1 } = snapshotRange(timesMs, t0, t1);
  const nodeBytes = new Array<number>(parents.length).fill(0);
  const nodeAllocations = new Array<number>(parents.length).fill(0);
  let peakSnapshot: number | null = null;
  let include: (allocatedBefore: number, deallocatedBefore: number | null) => boolean;
  if (mode === "highWaterMark") {
    const hwms = highWaterMarkBySnapshot ?? [];
    let h = i0;
    let best = -Infinity;
    for (let i = i0; i <= i1; i++) {
      const v = hwms[i];
      if (v !== undefined && v > best) {
        best = v;
        h = i;
      }
    }
    peakSnapshot = h;
    include = (a, d) => a <= h && (d === null || d > h);
  } else {
    include = (a, d) => a >= i0 && a <= i1 && (d === null || d > i1);
  }
  for (const [a, d, node, n, bytes] of intervals) {
    if (!include(a, d)) continue;
    for (let k = node; k >= 0; k = parents[k] ?? -1) {
      nodeBytes[k]! += bytes;
      nodeAllocations[k]! += n;
    }
  }
  return { nodeBytes, nodeAllocations, firstSnapshot: i0, lastSnapshot: i1, peakSnapshot };
}
