/**
 * Per-node bytes for a time range: the analysis stage's browser-safe temporalNodeTotals (§5.4)
 * over the decoded columns. The tuples it takes are built once per data set.
 */
import { temporalNodeTotals, type NodeInterval } from "../analysis/temporal-range.ts";
import type { TemporalColumns } from "../content/columnar.ts";

export interface RangeResult {
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  /** HWM mode: the snapshot chosen, else -1. */
  snapshot: number;
}

const tuples = new WeakMap<TemporalColumns, { intervals: NodeInterval[]; parents: number[] }>();

function asTuples(data: TemporalColumns): { intervals: NodeInterval[]; parents: number[] } {
  let t = tuples.get(data);
  if (!t) {
    const intervals: NodeInterval[] = [];
    for (let k = 0; k < data.node.length; k++) {
      const db = data.deallocatedBefore[k]!;
      intervals.push([data.allocatedBefore[k]!, db < 0 ? null : db, data.node[k]!, data.nAllocations[k]!, data.nBytes[k]!]);
    }
    t = { intervals, parents: Array.from(data.tree.parent) };
    tuples.set(data, t);
  }
  return t;
}

export function valuesForRange(data: TemporalColumns, timesMs: readonly number[], t0: number, t1: number): RangeResult {
  const { intervals, parents } = asTuples(data);
  const r = temporalNodeTotals(data.mode, timesMs, data.highWaterMarkBySnapshot, intervals, parents, t0, t1);
  return { valueBytes: Float64Array.from(r.nodeBytes), nAllocations: Float64Array.from(r.nodeAllocations), snapshot: r.peakSnapshot ?? -1 };
}
