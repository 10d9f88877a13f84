/**
 * From a decoded tree to d3-flame-graph's input: hiding uninteresting / import-system frames
 * (their children move up, their bytes stay in the parents), a thread filter, and range values.
 */
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag } from "../content/shapes.ts";

export interface FlameDatum {
  /** Index of the node in the TreeData. */
  idx: number;
  name: string;
  value: number;
  children: FlameDatum[];
}

export interface FlameFilter {
  hideUninteresting: boolean;
  hideImports: boolean;
  /** Thread label or "" for all. */
  thread: string;
  /** Values to use instead of the tree's (temporal ranges). */
  valueBytes?: Float64Array;
  nAllocations?: Float64Array;
}

/** Label drawn in a frame. LRM marks keep punctuation in place under the right-aligned style. */
export function frameLabel(tree: TreeData, i: number): string {
  if (i === 0) return "\u200Eroot\u200E";
  const flags = tree.flags[i]!;
  if (flags & NodeFlag.OTHER) return `\u200E${tree.otherFrames.get(i) ?? 0} smaller frames\u200E`;
  const file = tree.filename[i]!;
  const where = file ? ` at ${file}:${tree.lineno[i]}` : "";
  return `\u200E${tree.function[i]}${where}\u200E`;
}

function hidden(tree: TreeData, i: number, f: FlameFilter): boolean {
  const flags = tree.flags[i]!;
  if (flags & NodeFlag.OTHER) return false;
  if (f.hideUninteresting && !(flags & NodeFlag.INTERESTING)) return true;
  if (f.hideImports && flags & NodeFlag.IMPORT_SYSTEM) return true;
  return false;
}

export function buildFlameData(tree: TreeData, f: FlameFilter): FlameDatum {
  const value = f.valueBytes ?? tree.valueBytes;
  const count = f.nAllocations ?? (f.valueBytes ? undefined : tree.nAllocations);
  const visible = (i: number): boolean => (count ? count[i]! > 0 || value[i]! > 0 : value[i]! > 0);

  const make = (i: number): FlameDatum => ({ idx: i, name: frameLabel(tree, i), value: value[i]!, children: [] });
  const root = make(0);
  // Iterative: deep stacks (up to 400 frames) and wide trees.
  const work: Array<[number, FlameDatum]> = [];
  for (const c of tree.children[0]!) {
    if (f.thread && tree.thread[c] !== f.thread) continue;
    work.push([c, root]);
  }
  if (f.thread) root.value = work.reduce((s, [c]) => s + value[c]!, 0);
  while (work.length > 0) {
    const [i, parent] = work.pop()!;
    if (!visible(i)) continue;
    if (hidden(tree, i, f)) {
      for (const c of tree.children[i]!) work.push([c, parent]);
      continue;
    }
    const d = make(i);
    parent.children.push(d);
    for (const c of tree.children[i]!) work.push([c, d]);
  }
  // Splicing can put two copies of a frame side by side; order by size for a stable picture.
  const stack = [root];
  while (stack.length > 0) {
    const d = stack.pop()!;
    d.children.sort((a, b) => b.value - a.value || a.idx - b.idx);
    stack.push(...d.children);
  }
  return root;
}

/** Wider frames are redder and more saturated (not random): share of the root, 0..1. */
export function frameColour(share: number, isOther: boolean): string {
  if (isOther) return "hsl(220, 8%, 62%)";
  const s = Math.sqrt(Math.max(0, Math.min(1, share)));
  const hue = 48 - 48 * s;
  const sat = 45 + 50 * s;
  const light = 68 - 14 * s;
  return `hsl(${hue.toFixed(1)}, ${sat.toFixed(1)}%, ${light.toFixed(1)}%)`;
}

/** The share of bytes of the frames whose function or file contains `term`, outermost matches only. */
export function matches(tree: TreeData, i: number, term: string): boolean {
  if (!term) return false;
  const t = term.toLowerCase();
  return tree.function[i]!.toLowerCase().includes(t) || tree.filename[i]!.toLowerCase().includes(t);
}
