/**
 * Columnar tree encoding (with pruning) and decoding. Browser-safe: no Node imports, so the
 * page decodes with the same module that wrote the files. The encoder reads the analysis'
 * preorder columns (FlameColumns) and makes no object per node.
 */
import { isLauncherFrame } from "../analysis/frames.ts";
import { TreeFlag, type FlameColumns, type TemporalData } from "../analysis/model.ts";
import { NodeFlag, SCHEMA_VERSION, type ColumnarTree, type TemporalFile, type TemporalFileColumns } from "./shapes.ts";

class StringTable {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

function emptyTree(strings: StringTable): ColumnarTree {
  return {
    schemaVersion: SCHEMA_VERSION,
    strings: strings.strings,
    parent: [],
    function: [],
    filename: [],
    lineno: [],
    thread: [],
    valueBytes: [],
    nAllocations: [],
    flags: [],
    otherFrames: {},
    minFrameFraction: 0,
    totalNodes: 0,
  };
}

/**
 * The data files' flags of an analysis node. memray's launcher frames (`isLauncherFrame`) are
 * written irrelevant: memray counts them interesting (its JSON and folded outputs keep them), but
 * "Hide irrelevant frames" should hide them, so no graph or tree opens on `_run_tracker`.
 */
function flagsOf(treeFlags: number, filename: string): number {
  return (
    (treeFlags & TreeFlag.INTERESTING && !isLauncherFrame(filename) ? NodeFlag.INTERESTING : 0) |
    (treeFlags & TreeFlag.IMPORT_SYSTEM ? NodeFlag.IMPORT_SYSTEM : 0) |
    (treeFlags & TreeFlag.ELIDED ? NodeFlag.ELIDED : 0)
  );
}

/** Child links of preorder columns (`firstChild[i]`, then `nextSibling`; −1 ends), and subtree sizes. */
function treeLinks(parent: Int32Array, size: number): { firstChild: Int32Array; nextSibling: Int32Array; subtreeSize: Int32Array } {
  const firstChild = new Int32Array(size).fill(-1);
  const nextSibling = new Int32Array(size).fill(-1);
  const lastChild = new Int32Array(size).fill(-1);
  const subtreeSize = new Int32Array(size).fill(1);
  for (let i = 1; i < size; i++) {
    const p = parent[i]!;
    if (firstChild[p] === -1) firstChild[p] = i;
    else nextSibling[lastChild[p]!] = i;
    lastChild[p] = i;
  }
  for (let i = size - 1; i > 0; i--) subtreeSize[parent[i]!]! += subtreeSize[i]!;
  return { firstChild, nextSibling, subtreeSize };
}

export interface EncodeOptions {
  /** Merge frames narrower than this fraction of the root; 0 keeps everything. */
  minFrameFraction: number;
  /**
   * Upper bound of a node's bytes (temporal trees: the sum of its interval bytes); defaults to
   * `valueBytes`. Pruning decisions use it, so no frame that could be visible is merged.
   */
  widthOf?: (node: number) => number;
  /** Root width the fraction applies to; defaults to widthOf(root). */
  rootWidth?: number;
  /** Leave the value columns empty (temporal trees). */
  omitValues?: boolean;
  /** Called with each node and the index it was written to (its own or an "other"). */
  onMapped?: (node: number, index: number) => void;
}

/** Flatten a tree into columns, in preorder, merging narrow frames into "other" nodes. */
export function encodeTree(tree: FlameColumns, options: EncodeOptions): ColumnarTree {
  const strings = new StringTable();
  const out = emptyTree(strings);
  out.totalNodes = tree.size;
  const { firstChild, nextSibling, subtreeSize } = treeLinks(tree.parent, tree.size);
  const widthOf = options.widthOf ?? ((i: number) => tree.valueBytes[i]!);
  const threshold = (options.rootWidth ?? widthOf(0)) * options.minFrameFraction;
  out.minFrameFraction = threshold > 0 ? options.minFrameFraction : 0;
  const { frames, threads } = tree;

  const push = (parent: number, fn: string, file: string, line: number, thread: string, value: number, n: number, flags: number): number => {
    const index = out.parent.length;
    out.parent.push(parent);
    out.function.push(strings.id(fn));
    out.filename.push(strings.id(file));
    out.lineno.push(line);
    out.thread.push(strings.id(thread));
    if (!options.omitValues) {
      out.valueBytes.push(value);
      out.nAllocations.push(n);
    }
    out.flags.push(flags);
    return index;
  };

  // Iterative preorder: memray stacks go 400 deep and trees can be wide.
  const workNode: number[] = [0];
  const workParent: number[] = [-1];
  const wide: number[] = [];
  while (workNode.length > 0) {
    const node = workNode.pop()!;
    const f = frames[tree.frame[node]!]!;
    const index = push(workParent.pop()!, f.function, f.filename, f.lineno, threads[tree.thread[node]!]!, tree.valueBytes[node]!, tree.nAllocations[node]!, flagsOf(tree.flags[node]!, f.filename));
    if (f.module !== undefined) (out.native ??= {})[String(index)] = `${f.module}+0x${(f.offset ?? 0).toString(16)}`;
    options.onMapped?.(node, index);
    wide.length = 0;
    let narrowByThread: Map<string, number[]> | null = null;
    for (let c = firstChild[node]!; c !== -1; c = nextSibling[c]!) {
      if (threshold > 0 && widthOf(c) < threshold) {
        narrowByThread ??= new Map();
        const thread = threads[tree.thread[c]!]!;
        const group = narrowByThread.get(thread);
        if (group) group.push(c);
        else narrowByThread.set(thread, [c]);
      } else {
        wide.push(c);
      }
    }
    for (const [thread, group] of narrowByThread ?? []) {
      // A lone narrow leaf costs no more than an "other" node and keeps its name.
      if (group.length === 1 && firstChild[group[0]!] === -1) {
        wide.push(group[0]!);
        continue;
      }
      let value = 0;
      let n = 0;
      for (const c of group) {
        value += tree.valueBytes[c]!;
        n += tree.nAllocations[c]!;
      }
      // Always shown: hiding it as "uninteresting" would hide bytes the user cannot find.
      const otherIndex = push(index, "<other>", "", 0, thread, value, n, NodeFlag.OTHER | NodeFlag.INTERESTING);
      // Every node of a merged subtree (a preorder range) maps to the "other" node.
      let merged = 0;
      for (const c of group) {
        const end = c + subtreeSize[c]!;
        merged += end - c;
        if (options.onMapped) for (let k = c; k < end; k++) options.onMapped(k, otherIndex);
      }
      out.otherFrames[String(otherIndex)] = merged;
    }
    for (let i = wide.length - 1; i >= 0; i--) {
      workNode.push(wide[i]!);
      workParent.push(index);
    }
  }
  return out;
}

/**
 * Temporal data with pruning: a frame whose interval bytes sum (an upper bound of its size in
 * any time range) stays under the threshold is merged; its intervals move to the "other" node
 * and identical intervals are summed (in the order they first appear).
 */
export function encodeTemporal(data: TemporalData, mode: TemporalFile["mode"], minFrameFraction: number): TemporalFileColumns {
  // Interval node ids index the tree's preorder columns.
  const size = data.tree.size;
  const iv = data.intervals;
  const ownBound = new Float64Array(size);
  for (let i = 0; i < iv.length; i++) ownBound[iv.node[i]!] = ownBound[iv.node[i]!]! + Math.abs(iv.nBytes[i]!);
  const { firstChild, nextSibling } = treeLinks(data.tree.parent, size);
  const bound = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = ownBound[i]!;
    for (let c = firstChild[i]!; c !== -1; c = nextSibling[c]!) sum += bound[c]!;
    bound[i] = sum;
  }
  const peakBytes = data.highWaterMarkBySnapshot ? Math.max(0, ...data.highWaterMarkBySnapshot) : size > 0 ? bound[0]! : 0;

  const mapped = new Int32Array(size);
  const tree = encodeTree(data.tree, {
    minFrameFraction,
    widthOf: (i) => bound[i]!,
    rootWidth: peakBytes,
    omitValues: true,
    onMapped: (i, index) => (mapped[i] = index),
  });
  // Merge by (written node, allocatedBefore, deallocatedBefore) into output columns, through one
  // open-addressing table of output indices: a string key and a tuple per interval cost most of
  // the writer's memory on a capture with millions of intervals.
  const n = iv.length;
  const allocatedBefore = new Int32Array(n);
  const deallocatedBefore = new Int32Array(n);
  const node = new Int32Array(n);
  const nAllocations = new Float64Array(n);
  const nBytes = new Float64Array(n);
  let slotCount = 2;
  while (slotCount < 2 * n) slotCount *= 2;
  const slots = new Int32Array(slotCount); // output index + 1 (0: empty)
  const mask = slotCount - 1;
  let out = 0;
  for (let i = 0; i < n; i++) {
    const to = mapped[iv.node[i]!]!;
    const ab = iv.allocatedBefore[i]!;
    const db = iv.deallocatedBefore[i]!;
    let s = (Math.imul(to, 0x9e3779b1) ^ Math.imul(ab, 0x85ebca6b) ^ Math.imul(db, 0xc2b2ae35)) >>> 0;
    s = Math.imul(s ^ (s >>> 15), 0x27d4eb2d) >>> 0;
    for (s &= mask; ; s = (s + 1) & mask) {
      const at = slots[s]! - 1;
      if (at < 0) {
        slots[s] = out + 1;
        allocatedBefore[out] = ab;
        deallocatedBefore[out] = db;
        node[out] = to;
        nAllocations[out] = iv.nAllocations[i]!;
        nBytes[out] = iv.nBytes[i]!;
        out++;
        break;
      }
      if (node[at] === to && allocatedBefore[at] === ab && deallocatedBefore[at] === db) {
        nAllocations[at]! += iv.nAllocations[i]!;
        nBytes[at]! += iv.nBytes[i]!;
        break;
      }
    }
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    mode,
    tree,
    allocatedBefore: allocatedBefore.subarray(0, out),
    deallocatedBefore: deallocatedBefore.subarray(0, out),
    node: node.subarray(0, out),
    nAllocations: nAllocations.subarray(0, out),
    nBytes: nBytes.subarray(0, out),
    highWaterMarkBySnapshot: data.highWaterMarkBySnapshot,
  };
}

// ---- Decoding (browser) ---------------------------------------------------------------------

/** A decoded tree: columns plus child lists, addressed by node index (the browser's shape: no per-node objects). */
export interface TreeData {
  size: number;
  parent: Int32Array;
  children: number[][];
  function: string[];
  filename: string[];
  lineno: Int32Array;
  thread: string[];
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  flags: Uint8Array;
  /** Frames merged into each "other" node. */
  otherFrames: Map<number, number>;
  minFrameFraction: number;
  totalNodes: number;
  /** Symbolized native frames: node index → "module+0xoffset". */
  native: Map<number, string>;
}

export function decodeTree(tree: ColumnarTree): TreeData {
  const size = tree.parent.length;
  const children: number[][] = Array.from({ length: size }, () => []);
  const parent = Int32Array.from(tree.parent);
  for (let i = 1; i < size; i++) children[parent[i]!]!.push(i);
  const s = tree.strings;
  return {
    size,
    parent,
    children,
    function: tree.function.map((id) => s[id] ?? ""),
    filename: tree.filename.map((id) => s[id] ?? ""),
    lineno: Int32Array.from(tree.lineno),
    thread: tree.thread.map((id) => s[id] ?? ""),
    valueBytes: tree.valueBytes.length === size ? Float64Array.from(tree.valueBytes) : new Float64Array(size),
    nAllocations: tree.nAllocations.length === size ? Float64Array.from(tree.nAllocations) : new Float64Array(size),
    flags: Uint8Array.from(tree.flags),
    otherFrames: new Map(Object.entries(tree.otherFrames).map(([k, v]) => [Number(k), v])),
    minFrameFraction: tree.minFrameFraction,
    totalNodes: tree.totalNodes,
    native: new Map(Object.entries(tree.native ?? {}).map(([k, v]) => [Number(k), v])),
  };
}

/** Decoded temporal data: intervals as typed columns. */
export interface TemporalColumns {
  mode: TemporalFile["mode"];
  tree: TreeData;
  allocatedBefore: Int32Array;
  /** -1: still live at the end. */
  deallocatedBefore: Int32Array;
  node: Int32Array;
  nAllocations: Float64Array;
  nBytes: Float64Array;
  highWaterMarkBySnapshot: number[] | null;
}

/** Decode a temporal data file (or the writer's columns, as tests do). */
export function decodeTemporal(file: TemporalFile | TemporalFileColumns): TemporalColumns {
  return {
    mode: file.mode,
    tree: decodeTree(file.tree),
    allocatedBefore: Int32Array.from(file.allocatedBefore),
    deallocatedBefore: Int32Array.from(file.deallocatedBefore),
    node: Int32Array.from(file.node),
    nAllocations: Float64Array.from(file.nAllocations),
    nBytes: Float64Array.from(file.nBytes),
    highWaterMarkBySnapshot: file.highWaterMarkBySnapshot,
  };
}
