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

/**
 * Subtree sizes of preorder columns: node i's children are i + 1, then each next one a subtree
 * further, up to i + subtreeSize[i]. One array instead of child links (four arrays were 44 MB
 * of garbage per encoded tree on a 2.8M-node temporal tree).
 */
function subtreeSizes(parent: Int32Array, size: number): Int32Array {
  const subtreeSize = new Int32Array(size).fill(1);
  for (let i = size - 1; i > 0; i--) subtreeSize[parent[i]!]! += subtreeSize[i]!;
  return subtreeSize;
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
  const subtreeSize = subtreeSizes(tree.parent, tree.size);
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
    for (let c = node + 1, end = node + subtreeSize[node]!; c < end; c += subtreeSize[c]!) {
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
      if (group.length === 1 && subtreeSize[group[0]!] === 1) {
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
  const subtreeSize = subtreeSizes(data.tree.parent, size);
  const bound = ownBound; // summed in place, children in their order as before
  for (let i = size - 1; i >= 0; i--) {
    let sum = bound[i]!;
    for (let c = i + 1, end = i + subtreeSize[i]!; c < end; c += subtreeSize[c]!) sum += bound[c]!;
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
  // Merge by (written node, allocatedBefore, deallocatedBefore) into output columns, in the
  // order keys first appear. A node's intervals usually come as one run in increasing order (a
  // record's are sorted, and an unpruned node is one record's): while they do, each is appended
  // or added to the last entry with no lookup. Past that (a merged "other" node, say) a node goes
  // through one open-addressing table of output indices, made when first needed: a lookup per
  // interval was 0.6 s of CPU on pyalloc x16's 3.5M high-water-mark intervals, now 0.15 s.
  const n = iv.length;
  const allocatedBefore = new Int32Array(n);
  const deallocatedBefore = new Int32Array(n);
  const node = new Int32Array(n);
  const nAllocations = new Float64Array(n);
  const nBytes = new Float64Array(n);
  const written = tree.parent.length;
  // Per written node, until it is hashed: its entries are [runStart − 1, runEnd) of the output.
  const runStart = new Int32Array(written);
  const runEnd = new Int32Array(written);
  const hashed = new Uint8Array(written);
  let slotCount = 2;
  while (slotCount < 2 * n) slotCount *= 2;
  const slots = new Int32Array(slotCount); // output index + 1 (0: empty)
  const mask = slotCount - 1;
  const slotOf = (to: number, ab: number, db: number): number => {
    let s = (Math.imul(to, 0x9e3779b1) ^ Math.imul(ab, 0x85ebca6b) ^ Math.imul(db, 0xc2b2ae35)) >>> 0;
    s = Math.imul(s ^ (s >>> 15), 0x27d4eb2d) >>> 0;
    for (s &= mask; ; s = (s + 1) & mask) {
      const at = slots[s]! - 1;
      if (at < 0 || (node[at] === to && allocatedBefore[at] === ab && deallocatedBefore[at] === db)) return s;
    }
  };
  let out = 0;
  for (let i = 0; i < n; i++) {
    const to = mapped[iv.node[i]!]!;
    const ab = iv.allocatedBefore[i]!;
    const db = iv.deallocatedBefore[i]!;
    let at = out;
    if (hashed[to] === 0) {
      const last = runEnd[to]! - 1;
      const order = runStart[to] === 0 ? 1 : last === out - 1 ? ab - allocatedBefore[last]! || db - deallocatedBefore[last]! : -1;
      if (order > 0) {
        if (runStart[to] === 0) runStart[to] = out + 1;
        runEnd[to] = out + 1;
      } else if (order === 0) {
        at = last;
      } else {
        // Out of its run: its entries so far (distinct keys) go into the table.
        hashed[to] = 1;
        for (let k = runStart[to]! - 1; k < runEnd[to]!; k++) slots[slotOf(to, allocatedBefore[k]!, deallocatedBefore[k]!)] = k + 1;
      }
    }
    if (hashed[to] !== 0) {
      const s = slotOf(to, ab, db);
      if (slots[s] !== 0) at = slots[s]! - 1;
      else slots[s] = out + 1;
    }
    if (at === out) {
      allocatedBefore[out] = ab;
      deallocatedBefore[out] = db;
      node[out] = to;
      nAllocations[out] = iv.nAllocations[i]!;
      nBytes[out] = iv.nBytes[i]!;
      out++;
    } else {
      nAllocations[at]! += iv.nAllocations[i]!;
      nBytes[at]! += iv.nBytes[i]!;
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
