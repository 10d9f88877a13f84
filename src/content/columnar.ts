/**
 * Columnar tree encoding (with pruning) and decoding. Browser-safe: no Node imports, so the
 * page decodes with the same module that wrote the files. The encoder reads the analysis'
 * preorder columns (FlameColumns) and makes no object per node.
 */
import { isLauncherFrame } from "../analysis/frames.ts";
import { subtreeSizes, TreeFlag, type FlameColumns, type TemporalData } from "../analysis/model.ts";
import { isNumberStream, type NumberStream } from "./json-chunks.ts";
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
  /** The tree's subtreeSizes, when the caller has them already. */
  subtreeSize?: Int32Array;
}

/** Flatten a tree into columns, in preorder, merging narrow frames into "other" nodes. */
export function encodeTree(tree: FlameColumns, options: EncodeOptions): ColumnarTree {
  const strings = new StringTable();
  const out = emptyTree(strings);
  out.totalNodes = tree.size;
  const subtreeSize = options.subtreeSize ?? subtreeSizes(tree.parent, tree.size);
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
    subtreeSize,
  });
  const n = iv.length;
  const written = tree.parent.length;
  // The file's fields in this order (its bytes are the JSON of this object).
  const file = (columns: Pick<TemporalFileColumns, "allocatedBefore" | "deallocatedBefore" | "node" | "nAllocations" | "nBytes">): TemporalFileColumns => ({
    schemaVersion: SCHEMA_VERSION,
    mode,
    tree,
    allocatedBefore: columns.allocatedBefore,
    deallocatedBefore: columns.deallocatedBefore,
    node: columns.node,
    nAllocations: columns.nAllocations,
    nBytes: columns.nBytes,
    highWaterMarkBySnapshot: data.highWaterMarkBySnapshot,
  });
  // Intervals of "other" nodes (each many nodes' runs) mostly go through the merge's table.
  const isOther = new Uint8Array(written);
  for (const index of Object.keys(tree.otherFrames)) isOther[Number(index)] = 1;
  let intoOther = 0;
  for (let i = 0; i < n; i++) intoOther += isOther[mapped[iv.node[i]!]!]!;
  const merge = mergeIntervals(iv, mapped, written, intoOther);
  if (merge === null) {
    // Every interval its own entry and every node written as itself (pyalloc x16's high-water
    // mark: 3.5M intervals, 79K nodes): the analysis' columns are the file's, read only.
    let identity = written === size;
    for (let k = 0; identity && k < size; k++) identity = mapped[k] === k;
    if (identity) return file(iv);
  }
  // The entries are made as each column is written, from the intervals and the merge: five
  // output columns of 3.6M entries were 101 MB of pyalloc x16's temporal leaks file.
  const entryOf = merge?.entryOf ?? null;
  const sums = merge?.sums ?? null;
  const entries = merge?.entries ?? n;
  /** Column `column` at the intervals that make entries: through `map`, or their sums' `sumColumn`. */
  const firsts = (column: ArrayLike<number>, map: Int32Array | null, sumColumn: number): NumberStream => {
    let next = 0; // interval of entry `at`
    let at = 0;
    return {
      length: entries,
      fill(start, out) {
        if (start < at) next = at = 0;
        for (const end = start + out.length; at < end; next++) {
          const e = entryOf === null ? 0 : entryOf[next]!;
          if (e === -1) continue;
          if (at >= start) out[at - start] = map !== null ? map[column[next]!]! : e > 0 && sumColumn >= 0 ? sums![2 * (e - 1) + sumColumn]! : column[next]!;
          at++;
        }
      },
    };
  };
  return file({
    allocatedBefore: firsts(iv.allocatedBefore, null, -1),
    deallocatedBefore: firsts(iv.deallocatedBefore, null, -1),
    node: firsts(iv.node, mapped, -1),
    nAllocations: firsts(iv.nAllocations, null, 0),
    nBytes: firsts(iv.nBytes, null, 1),
  });
}

/**
 * Which intervals merge, by (written node, allocatedBefore, deallocatedBefore), entries in the order
 * keys first appear; null when none does. `entryOf[i]`: −1 when interval i is added to an earlier
 * entry, 0 when it makes one, s + 1 when it makes one that others are added to, whose sums
 * (nAllocations, nBytes) are `sums[2s]`, `sums[2s + 1]`.
 *
 * A node's intervals usually come as one run in increasing order (a record's are sorted, and an
 * unpruned node is one record's): while they do, each makes an entry or is added to its node's
 * last one with no lookup. Past that (a merged "other" node, say) a node goes through one
 * open-addressing table of the intervals that made its entries, made when first needed: a lookup
 * per interval was 0.6 s of CPU on pyalloc x16's 3.5M high-water-mark intervals, now 0.15 s.
 */
function mergeIntervals(
  iv: TemporalData["intervals"],
  mapped: Int32Array,
  written: number,
  tableHint: number,
): { entryOf: Int32Array; entries: number; sums: Float64Array } | null {
  const n = iv.length;
  const { allocatedBefore, deallocatedBefore, node } = iv;
  let entryOf: Int32Array | null = null;
  let sums = new Float64Array(0);
  let sumCount = 0;
  // Per written node, until it is hashed: its entries are made by the intervals in
  // [runStart − 1, runEnd), those of them that make one (the entries between are its own).
  const runStart = new Int32Array(written);
  const runEnd = new Int32Array(written);
  const hashed = new Uint8Array(written);
  let slots = new Int32Array(0); // interval + 1 (0: empty)
  let used = 0;
  const slotOf = (table: Int32Array, to: number, ab: number, db: number): number => {
    const mask = table.length - 1;
    let s = (Math.imul(to, 0x9e3779b1) ^ Math.imul(ab, 0x85ebca6b) ^ Math.imul(db, 0xc2b2ae35)) >>> 0;
    s = Math.imul(s ^ (s >>> 15), 0x27d4eb2d) >>> 0;
    for (s &= mask; ; s = (s + 1) & mask) {
      const j = table[s]! - 1;
      if (j < 0 || (allocatedBefore[j] === ab && deallocatedBefore[j] === db && mapped[node[j]!] === to)) return s;
    }
  };
  const insert = (j: number): void => {
    if (2 * (used + 1) > slots.length) {
      // Grown with its entries (only the hashed nodes' are in it), first to the hint's: growing
      // by doubling was 0.45 s of CPU on pyalloc x16's temporal leaks (3.6M entries), and its
      // last step holds the old table and the new.
      let length = Math.max(1024, slots.length * 2);
      if (slots.length === 0) while (length < 2 * tableHint) length *= 2;
      const grown = new Int32Array(length);
      for (const k of slots) if (k !== 0) grown[slotOf(grown, mapped[node[k - 1]!]!, allocatedBefore[k - 1]!, deallocatedBefore[k - 1]!)] = k;
      slots = grown;
    }
    slots[slotOf(slots, mapped[node[j]!]!, allocatedBefore[j]!, deallocatedBefore[j]!)] = j + 1;
    used++;
  };
  let newest = -1; // the interval that made the newest entry
  let entries = 0;
  for (let i = 0; i < n; i++) {
    const to = mapped[node[i]!]!;
    const ab = allocatedBefore[i]!;
    const db = deallocatedBefore[i]!;
    let into = i;
    if (hashed[to] === 0) {
      const last = runEnd[to]! - 1;
      const order = runStart[to] === 0 ? 1 : last === newest ? ab - allocatedBefore[last]! || db - deallocatedBefore[last]! : -1;
      if (order > 0) {
        if (runStart[to] === 0) runStart[to] = i + 1;
        runEnd[to] = i + 1;
      } else if (order === 0) {
        into = last;
      } else {
        // Out of its run: the intervals that made its entries so far (distinct keys) go into the table.
        hashed[to] = 1;
        for (let k = runStart[to]! - 1; k < runEnd[to]!; k++) if (entryOf === null || entryOf[k] !== -1) insert(k);
      }
    }
    if (hashed[to] !== 0) {
      const s = slots.length === 0 ? -1 : slotOf(slots, to, ab, db);
      const j = s < 0 ? -1 : slots[s]! - 1;
      if (j >= 0) {
        into = j;
      } else if (s >= 0 && 2 * (used + 1) <= slots.length) {
        slots[s] = i + 1;
        used++;
      } else {
        insert(i);
      }
    }
    if (into === i) {
      newest = i;
      entries++;
      continue;
    }
    entryOf ??= new Int32Array(n);
    entryOf[i] = -1;
    let e = entryOf[into]!;
    if (e === 0) {
      if (2 * sumCount === sums.length) {
        const grown = new Float64Array(Math.max(1024, sums.length * 2));
        grown.set(sums);
        sums = grown;
      }
      sums[2 * sumCount] = iv.nAllocations[into]!;
      sums[2 * sumCount + 1] = iv.nBytes[into]!;
      e = entryOf[into] = ++sumCount;
    }
    sums[2 * (e - 1)]! += iv.nAllocations[i]!;
    sums[2 * (e - 1) + 1]! += iv.nBytes[i]!;
  }
  return entryOf === null ? null : { entryOf, entries, sums };
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

/** A column of a data file or of the writer (which may be a stream), as numbers. */
function numbersOf(column: ArrayLike<number> | NumberStream): ArrayLike<number> {
  if (!isNumberStream(column)) return column;
  const out = new Float64Array(column.length);
  column.fill(0, out);
  return out;
}

/** Decode a temporal data file (or the writer's columns, as tests do). */
export function decodeTemporal(file: TemporalFile | TemporalFileColumns): TemporalColumns {
  return {
    mode: file.mode,
    tree: decodeTree(file.tree),
    allocatedBefore: Int32Array.from(numbersOf(file.allocatedBefore)),
    deallocatedBefore: Int32Array.from(numbersOf(file.deallocatedBefore)),
    node: Int32Array.from(numbersOf(file.node)),
    nAllocations: Float64Array.from(numbersOf(file.nAllocations)),
    nBytes: Float64Array.from(numbersOf(file.nBytes)),
    highWaterMarkBySnapshot: file.highWaterMarkBySnapshot,
  };
}
