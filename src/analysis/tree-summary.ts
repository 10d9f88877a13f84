/**
 * `memray tree` (docs/capture-format.md §5.7): the biggest N snapshot groups as a call tree keyed by frame only (not
 * thread), the rest summed into one elided leaf. Unlike the flame graph, `importSystem` is the
 * frame's own property, not inherited.
 */
import type { CaptureTables } from "../reader/index.ts";
import { groupAt, type SnapshotGroups } from "./snapshots.ts";
import { MAX_STACKS, recordFrames, type NativeSymbolizer } from "./flame.ts";
import { isCpythonInternal, isImportSystem, isInterestingFrame, threadLabel } from "./frames.ts";
import type { TreeSummaryNode } from "./model.ts";

export interface TreeSummaryOptions {
  /** `-b/--biggest-allocs`: groups drawn in the tree. Default 200. */
  biggestAllocs?: number;
  threadName?: (tid: number) => string | null;
  symbolize?: NativeSymbolizer;
}

export const ROOT_FUNCTION = "<ROOT>";

/** `groups` must be the split-threads snapshot in memray's yield order (we use minimum seq). */
export function buildTreeSummary(
  tables: CaptureTables,
  groups: SnapshotGroups,
  options: TreeSummaryOptions = {},
): TreeSummaryNode {
  const biggest = options.biggestAllocs ?? 200;
  const root = newNode(ROOT_FUNCTION, "", 0, "", true, false);
  const bytes = groups.sizeBytes ?? new Float64Array(groups.length);
  const counts = groups.nAllocations ?? new Float64Array(groups.length);
  const sorted = Array.from({ length: groups.length }, (_, i) => i).sort((a, b) => bytes[b]! - bytes[a]!); // stable
  const childIndex = new Map<TreeSummaryNode, Map<string, TreeSummaryNode>>();
  for (const i of sorted) {
    root.valueBytes += bytes[i]!;
    root.nAllocations += counts[i]!;
  }
  for (const i of sorted.slice(0, biggest)) {
    const group = groupAt(groups, i);
    const thread = threadLabel(group.tid, options.threadName?.(group.tid));
    const frames = recordFrames(tables, group.stackId, group.nativeId, group.generation, {
      trimTid: group.tid,
      symbolize: options.symbolize,
    }).reverse();
    let cur = root;
    for (let depth = 0; depth < frames.length; depth++) {
      const f = frames[depth]!;
      if (isCpythonInternal(f.function, f.filename)) continue;
      let children = childIndex.get(cur);
      if (children === undefined) childIndex.set(cur, (children = new Map()));
      const key = `${f.function}\u0000${f.filename}\u0000${f.lineno}`;
      let node = children.get(key);
      if (node === undefined) {
        const importSystem = isImportSystem(f.function, f.filename);
        node = newNode(f.function, f.filename, f.lineno, thread, !importSystem && isInterestingFrame(f.function, f.filename), importSystem);
        children.set(key, node);
        cur.children.push(node);
      }
      node.valueBytes += group.sizeBytes;
      node.nAllocations += group.nAllocations;
      node.thread = thread;
      cur = node;
      if (depth > MAX_STACKS) break;
    }
  }
  const elided = sorted.slice(biggest);
  if (elided.length > 0) {
    let nAllocations = 0;
    let valueBytes = 0;
    for (const i of elided) {
      nAllocations += counts[i]!;
      valueBytes += bytes[i]!;
    }
    const leaf = newNode(
      `<${nAllocations} allocations from ${elided.length} locations below the configured threshold>`,
      "",
      0,
      "",
      true,
      false,
    );
    leaf.valueBytes = valueBytes;
    leaf.nAllocations = nAllocations;
    leaf.elided = true;
    root.children.push(leaf);
  }
  sortByValue(root);
  return root;
}

function newNode(fn: string, filename: string, lineno: number, thread: string, interesting: boolean, importSystem: boolean): TreeSummaryNode {
  return { function: fn, filename, lineno, thread, valueBytes: 0, nAllocations: 0, interesting, importSystem, elided: false, children: [] };
}

function sortByValue(node: TreeSummaryNode): void {
  node.children.sort((a, b) => b.valueBytes - a.valueBytes);
  for (const c of node.children) sortByValue(c);
}
