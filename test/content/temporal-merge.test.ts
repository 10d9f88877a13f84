/**
 * encodeTemporal's interval merge: the same entries, in the same first-appearance order, whether a
 * node's intervals come as one increasing run (no lookup) or not (a run out of order, a node seen
 * again after another, nodes merged into "other"), as a plain Map keyed by text gives.
 */
import { expect, test } from "vitest";
import { decodeTemporal, encodeTemporal } from "../../src/content/columnar.ts";
import type { FlameColumns, TemporalData } from "../../src/analysis/model.ts";
import { recordPerInterval } from "../helpers/intervals.ts";
import { seededRandom } from "../helpers/random.ts";

/** A root with `leaves` children, a frame each. */
function star(leaves: number): FlameColumns {
  const size = leaves + 1;
  const parent = Int32Array.from({ length: size }, (_, i) => (i === 0 ? -1 : 0));
  return {
    size,
    parent,
    frame: Int32Array.from({ length: size }, (_, i) => i),
    frames: Array.from({ length: size }, (_, i) => ({ function: `f${i}`, filename: "a.py", lineno: i })),
    thread: new Int32Array(size),
    threads: ["merged"],
    valueBytes: new Float64Array(size),
    nAllocations: new Float64Array(size),
    flags: new Uint8Array(size).fill(1),
  };
}

/** What the merge must give: entries keyed by (written node, ab, db) in first-appearance order. */
function reference(mapped: (node: number) => number, rows: number[][]): number[][] {
  const at = new Map<string, number[]>();
  for (const [node, ab, db, count, bytes] of rows) {
    const to = mapped(node!);
    const key = `${to} ${ab} ${db}`;
    const entry = at.get(key);
    if (entry) {
      entry[3]! += count!;
      entry[4]! += bytes!;
    } else {
      at.set(key, [to, ab!, db!, count!, bytes!]);
    }
  }
  return [...at.values()];
}

test("runs in order, out of order, interrupted and merged give the map's entries in its order", () => {
  const rows = [
    // node 1: one increasing run with an adjacent repeat
    [1, 0, 2, 1, 10], [1, 0, 2, 1, 5], [1, 1, -1, 2, 20], [1, 3, 4, 1, 7],
    // node 2: a run, then out of order (repeats an earlier key and adds new ones)
    [2, 0, 1, 1, 1], [2, 2, 3, 1, 2], [2, 0, 1, 4, 8], [2, 1, 1, 1, 3], [2, 2, 3, 1, 1],
    // node 1 again after another node: its keys must still merge
    [1, 1, -1, 1, 4], [1, 5, 6, 1, 9],
    // node 3: in order, then node 4, then node 3 in order again
    [3, 0, -1, 1, 1], [4, 0, -1, 1, 1], [3, 1, -1, 1, 1], [3, 0, -1, 1, 1],
  ];
  const ints = (column: number) => Int32Array.from(rows, (r) => r[column]!);
  const floats = (column: number) => Float64Array.from(rows, (r) => r[column]!);
  const data: TemporalData = {
    tree: star(4),
    intervals: {
      ...recordPerInterval(ints(0)),
      allocatedBefore: ints(1),
      deallocatedBefore: ints(2),
      nAllocations: floats(3),
      nBytes: floats(4),
    },
    highWaterMarkBySnapshot: null,
  };
  const entries = (encoded: ReturnType<typeof encodeTemporal>) => {
    const file = decodeTemporal(encoded);
    return Array.from(file.node, (to, i) => [to, file.allocatedBefore[i]!, file.deallocatedBefore[i]!, file.nAllocations[i]!, file.nBytes[i]!]);
  };
  // Unpruned: written node i is node i.
  expect(entries(encodeTemporal(data, "leaks", 0))).toEqual(reference((n) => n, rows));
  // Pruned: the narrow leaves 3 and 4 become one "other" node (written first); the wide ones keep theirs.
  const pruned = encodeTemporal(data, "leaks", 0.2);
  const names = Array.from(pruned.tree.function, (id) => pruned.tree.strings[id]);
  expect(names).toEqual(["f0", "<other>", "f1", "f2"]);
  expect(entries(pruned)).toEqual(reference((n) => [0, 2, 3, 1, 1][n]!, rows));
});

test("many keys per node (the node table grows) and many nodes (its slots reused) give the map's entries in its order", () => {
  const rand = seededRandom(3);
  const rows: number[][] = [];
  // Node 1: 6,000 intervals over ~2,000 keys in no order; nodes 2..40: a few dozen each, interleaved.
  for (let k = 0; k < 6000; k++) {
    const ab = Math.floor(rand() * 60);
    rows.push([1, ab, rand() < 0.1 ? -1 : ab + Math.floor(rand() * 40), 1, 1 + Math.floor(rand() * 9)]);
    if (k % 100 === 0) for (let node = 2; node <= 40; node++) rows.push([node, Math.floor(rand() * 3), Math.floor(rand() * 3) + 3, 2, 5]);
  }
  const data: TemporalData = {
    tree: star(40),
    intervals: {
      ...recordPerInterval(Int32Array.from(rows, (r) => r[0]!)),
      allocatedBefore: Int32Array.from(rows, (r) => r[1]!),
      deallocatedBefore: Int32Array.from(rows, (r) => r[2]!),
      nAllocations: Float64Array.from(rows, (r) => r[3]!),
      nBytes: Float64Array.from(rows, (r) => r[4]!),
    },
    highWaterMarkBySnapshot: null,
  };
  const file = decodeTemporal(encodeTemporal(data, "leaks", 0));
  const got = Array.from(file.node, (to, i) => [to, file.allocatedBefore[i]!, file.deallocatedBefore[i]!, file.nAllocations[i]!, file.nBytes[i]!]);
  const expected = reference((n) => n, rows);
  expect(expected.filter((e) => e[0] === 1).length).toBeGreaterThan(1024); // past the table's first size
  expect(got).toEqual(expected);
});
