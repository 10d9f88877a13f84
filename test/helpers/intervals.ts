/** Temporal intervals' nodes per interval, as tests write and read them (the analysis keeps one per record). */
import type { TemporalIntervals } from "../../src/analysis/model.ts";

type Records = Pick<TemporalIntervals, "length" | "starts" | "recordNode">;

/** Each interval's node, as a column. */
export function intervalNodes(iv: Records): Int32Array {
  const node = new Int32Array(iv.length);
  for (let r = 0; r < iv.recordNode.length; r++) node.fill(iv.recordNode[r]!, iv.starts[r]!, iv.starts[r + 1]!);
  return node;
}

/** Intervals whose nodes are `node`, each its own record. */
export function recordPerInterval(node: Int32Array): Records {
  return { length: node.length, starts: Int32Array.from({ length: node.length + 1 }, (_, i) => i), recordNode: node };
}
