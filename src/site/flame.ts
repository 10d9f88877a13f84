/**
 * From a decoded tree to d3-flame-graph's input: hiding uninteresting / import-system frames
 * (their children move up, their bytes stay in the parents), a thread filter, and range values.
 */
import type { TreeData } from "../content/columnar.ts";
import { NodeFlag } from "../content/shapes.ts";
import type { FramePath } from "./url.ts";

/**
 * The frame columns a run's decoded tree and a comparison's diff tree both have, node 0 the root:
 * what frame paths, zoom lookup and the frame filters read (the diff tree's flags carry the same
 * INTERESTING, IMPORT_SYSTEM and OTHER bits).
 */
export type FrameColumns = Pick<TreeData, "parent" | "children" | "function" | "filename" | "lineno" | "flags">;

export interface FlameDatum {
  /** Index of the node in the TreeData. */
  idx: number;
  value: number;
  children: FlameDatum[];
  /** Unresolved native frames folded into this one (collapseUnresolved), beyond itself. */
  collapsed?: number;
}

export interface FlameFilter {
  hideUninteresting: boolean;
  hideImports: boolean;
  /** Thread label or "" for all. */
  thread: string;
  /** Show a chain of unresolved native frames as its outermost frame (default off). */
  collapseUnresolved?: boolean;
  /** Values to use instead of the tree's (temporal ranges). */
  valueBytes?: Float64Array;
  nAllocations?: Float64Array;
}

/** Width in px of a string as the page draws frame labels (injected: tests count characters). */
export type Measure = (text: string) => number;

/**
 * The text a frame of `widthPx` shows: the function name first, then as much of the location
 * as fits: the whole `file:line`, the path with its middle elided (`/usr/…/pkg/mod.py:12`),
 * the file name only (`mod.py:12`), then none. Whatever still overflows is cut at the end by
 * the stylesheet, so the start of the function name is what stays.
 */
export function fitLabel(fn: string, filename: string, lineno: number, widthPx: number, measure: Measure): string {
  if (!filename) return fn;
  const line = lineno > 0 ? `:${lineno}` : "";
  const full = `${fn} at ${filename}${line}`;
  if (measure(full) <= widthPx) return full;
  const cut = filename.lastIndexOf("/") + 1;
  const dir = filename.slice(0, cut);
  const base = filename.slice(cut);
  // Middle ellipsis: keep the start and the end of the directory, always the file name; below
  // eight characters of directory ("/usr…/lib/") the file name alone says more. The longest
  // that fits is found by bisection: a few measurements per frame, not one per character.
  const elided = (keep: number): string => {
    const head = Math.ceil(keep / 2);
    return `${fn} at ${dir.slice(0, head)}\u2026${dir.slice(dir.length - (keep - head))}${base}${line}`;
  };
  let lo = 8;
  let hi = dir.length - 1;
  if (lo <= hi && measure(elided(lo)) <= widthPx) {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (measure(elided(mid)) <= widthPx) lo = mid;
      else hi = mid - 1;
    }
    return elided(lo);
  }
  const short = `${fn} at ${base}${line}`;
  if (measure(short) <= widthPx) return short;
  return fn;
}

/** What memray writes for a native frame's symbol or file it could not resolve. */
const UNKNOWN = "<unknown>";

/** `/usr/bin/python3.11+0x5f07af` → `python3.11+0x5f07af`: the image's file name and the offset. */
export function shortNative(native: string): string {
  const plus = native.lastIndexOf("+0x");
  const module = plus < 0 ? native : native.slice(0, plus);
  return `${module.slice(Math.max(module.lastIndexOf("/"), module.lastIndexOf("\\")) + 1)}${plus < 0 ? "" : native.slice(plus)}`;
}

/** A native frame whose symbol is unknown but whose image and offset are. */
export function isUnresolved(tree: TreeData, i: number): boolean {
  return tree.function[i] === UNKNOWN && tree.native.has(i);
}

/**
 * A frame's function as shown: an unresolved native frame by its image and offset
 * (`python3.11+0x5f07af`, not "<unknown>"), a symbol without a source file by its image too
 * (`PyObject_Vectorcall in python3.11`).
 */
function shownFunction(tree: TreeData, i: number): { fn: string; file: string } {
  const native = tree.native.get(i);
  const fn = tree.function[i]!;
  const file = tree.filename[i]!;
  if (native === undefined || file !== UNKNOWN) return { fn, file };
  if (fn === UNKNOWN) return { fn: shortNative(native), file: "" };
  const image = shortNative(native);
  const plus = image.lastIndexOf("+0x");
  return { fn: `${fn} in ${plus < 0 ? image : image.slice(0, plus)}`, file: "" };
}

/** A frame's function as the page shows it (native frames by image and offset, see above). */
export function frameFunction(tree: TreeData, i: number): string {
  return shownFunction(tree, i).fn;
}

/** What a frame is called in full (the accessible name, tests, search). */
export function frameName(tree: TreeData, i: number): string {
  if (i === 0) return "root";
  if (tree.flags[i]! & NodeFlag.OTHER) return `${tree.otherFrames.get(i) ?? 0} smaller frames`;
  const { fn, file } = shownFunction(tree, i);
  return file ? `${fn} at ${file}${tree.lineno[i] ? `:${tree.lineno[i]}` : ""}` : fn;
}

/** The label a frame of `widthPx` draws (see fitLabel); `collapsed` unresolved frames folded in. */
export function frameLabel(tree: TreeData, i: number, widthPx: number, measure: Measure, collapsed = 0): string {
  if (i === 0 || tree.flags[i]! & NodeFlag.OTHER) return frameName(tree, i);
  const { fn, file } = shownFunction(tree, i);
  return fitLabel(collapsed > 0 ? `${fn} (+${collapsed} unresolved)` : fn, file, tree.lineno[i]!, widthPx, measure);
}

/** The frames from the root (excluded) down to node `i`: what a zoom link stores (run and compare pages alike). */
export function framePath(tree: FrameColumns, i: number): FramePath {
  const out: FramePath = [];
  for (let k = i; k > 0; k = tree.parent[k]!) out.push({ function: tree.function[k]!, filename: tree.filename[k]!, lineno: tree.lineno[k]! });
  return out.reverse();
}

/**
 * The node a frame path names, or -1. Where two siblings match (one frame in two threads),
 * the one of `thread` (when given) and then the wider wins; a dead end backtracks.
 */
export function findFramePath(tree: TreeData, path: FramePath, thread = ""): number {
  return findPath(tree, path, (i) => tree.valueBytes[i]!, thread ? (i) => tree.thread[i] === thread : undefined);
}

/** findFramePath over any frame columns: `widthOf` orders matching siblings, `accept` (when given) narrows them. */
export function findPath(tree: FrameColumns, path: FramePath, widthOf: (i: number) => number, accept?: (i: number) => boolean): number {
  if (path.length === 0) return -1;
  const visit = (node: number, depth: number): number => {
    if (depth === path.length) return node;
    const want = path[depth]!;
    const candidates = tree.children[node]!.filter(
      (c) => tree.function[c] === want.function && tree.filename[c] === want.filename && tree.lineno[c] === want.lineno && (!accept || accept(c)),
    );
    candidates.sort((a, b) => widthOf(b) - widthOf(a) || a - b);
    for (const c of candidates) {
      const found = visit(c, depth + 1);
      if (found >= 0) return found;
    }
    return -1;
  };
  return visit(0, 0);
}

/** Whether the frame filters hide node `i` (its children move up); a "smaller frames" node never is. */
export function hiddenFrame(tree: FrameColumns, i: number, f: { hideUninteresting: boolean; hideImports: boolean }): boolean {
  const flags = tree.flags[i]!;
  if (flags & NodeFlag.OTHER) return false;
  if (f.hideUninteresting && !(flags & NodeFlag.INTERESTING)) return true;
  if (f.hideImports && flags & NodeFlag.IMPORT_SYSTEM) return true;
  return false;
}

/**
 * The drawn tree, d3-flame-graph's nested input, from nodes addressed by index (a decoded tree,
 * a diff tree): below `root`, the nodes `top` and their descendants, leaving out a node that is
 * not `shown` with its subtree and splicing out a `hidden` one (its children move up to its
 * parent), and folding a node into its drawn parent when `fold(node, parent)` says so (the
 * parent counts it in `collapsed`). Iterative: deep stacks (up to 400 frames) and wide trees.
 */
export function drawnTree<D extends { idx: number; value: number; children: D[]; collapsed?: number }>(
  root: D,
  top: readonly number[],
  children: readonly (readonly number[])[],
  shown: (i: number) => boolean,
  hidden: (i: number) => boolean,
  make: (i: number) => D,
  fold?: (i: number, parent: number) => boolean,
): D {
  const work: Array<[number, D]> = top.map((c) => [c, root]);
  while (work.length > 0) {
    const [i, parent] = work.pop()!;
    if (!shown(i)) continue;
    if (hidden(i)) {
      for (const c of children[i]!) work.push([c, parent]);
      continue;
    }
    if (fold?.(i, parent.idx)) {
      parent.collapsed = (parent.collapsed ?? 0) + 1;
      for (const c of children[i]!) work.push([c, parent]);
      continue;
    }
    const d = make(i);
    parent.children.push(d);
    for (const c of children[i]!) work.push([c, d]);
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

export function buildFlameData(tree: TreeData, f: FlameFilter): FlameDatum {
  const value = f.valueBytes ?? tree.valueBytes;
  const count = f.nAllocations ?? (f.valueBytes ? undefined : tree.nAllocations);
  const visible = (i: number): boolean => (count ? count[i]! > 0 || value[i]! > 0 : value[i]! > 0);
  const make = (i: number): FlameDatum => ({ idx: i, value: value[i]!, children: [] });
  const root = make(0);
  const top = f.thread ? tree.children[0]!.filter((c) => tree.thread[c] === f.thread) : tree.children[0]!;
  if (f.thread) root.value = top.reduce((s, c) => s + value[c]!, 0);
  // An unresolved frame called by an unresolved frame: one box for the whole chain.
  const fold = f.collapseUnresolved ? (i: number, parent: number) => parent !== 0 && isUnresolved(tree, i) && isUnresolved(tree, parent) : undefined;
  return drawnTree(root, top, tree.children, visible, (i) => hiddenFrame(tree, i, f), make, fold);
}

/** Wider frames are redder and more saturated (not random): share of the root, 0..1. */
export function frameColour(share: number, isOther: boolean): string {
  if (isOther) return "hsl(220, 8%, 62%)";
  const s = Math.sqrt(Math.max(0, Math.min(1, share)));
  const hue = 48 - 48 * s;
  const sat = 45 + 50 * s;
  // Down to 57% at the widest: #111 labels stay ≥ 4.5:1 on the reddest frame.
  const light = 70 - 13 * s;
  return `hsl(${hue.toFixed(1)}, ${sat.toFixed(1)}%, ${light.toFixed(1)}%)`;
}

/** Whether frame `i`'s function or file contains `term` (case-insensitive, plain text: no RegExp). */
export function matches(tree: TreeData, i: number, term: string): boolean {
  if (!term) return false;
  const t = term.toLowerCase();
  return tree.function[i]!.toLowerCase().includes(t) || tree.filename[i]!.toLowerCase().includes(t) || (tree.native.get(i)?.toLowerCase().includes(t) ?? false);
}

/**
 * A location cut where a line may break: after each path separator and before `:line`, so
 * `/srv/app/encoder.py:258` wraps as `/srv/ app/ encoder.py :258`, never `encoder.py:2⏎58`.
 */
export function breakLocation(location: string): string[] {
  return location.split(/(?<=[\\/])|(?=:\d+$)/).filter((p) => p !== "");
}
