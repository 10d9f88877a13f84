/**
 * A decoded columnar tree (TreeData) as a diff source: nodes are indices, read straight from the
 * columns, so the browser diffs two runs' data files without rebuilding node objects.
 */
import type { DiffSource } from "../analysis/diff.ts";
import type { TreeData } from "./columnar.ts";
import { NodeFlag } from "./shapes.ts";

export function treeDataSource(tree: TreeData): DiffSource<number> {
  return {
    root: 0,
    children: (i) => tree.children[i]!,
    function: (i) => tree.function[i]!,
    filename: (i) => tree.filename[i]!,
    lineno: (i) => tree.lineno[i]!,
    thread: (i) => tree.thread[i]!,
    valueBytes: (i) => tree.valueBytes[i]!,
    nAllocations: (i) => tree.nAllocations[i]!,
    isOther: (i) => (tree.flags[i]! & NodeFlag.OTHER) !== 0,
    interesting: (i) => (tree.flags[i]! & NodeFlag.INTERESTING) !== 0,
    importSystem: (i) => (tree.flags[i]! & NodeFlag.IMPORT_SYSTEM) !== 0,
  };
}
