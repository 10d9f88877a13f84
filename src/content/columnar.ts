/**
 * Columnar tree encoding (with pruning) and decoding. Browser-safe: no Node imports, so the
 * page decodes with the same module that wrote the files. The encoder reads the analysis'
 * preorder columns (FlameColumns) and makes no object per node.
 */
import { isLauncherFrame } from "../analysis/frames.ts";
import { subtreeSizes, TreeFlag, type FlameColumns, type TemporalData } from "../analysis/model.ts";
import { release, resized } from "../shared/typed-arrays.ts";
import { isNumberStream, type NumberStream } from "./json-chunks.ts";
import { NodeFlag, SCHEMA_VERSION, type ColumnarTree, type ColumnarTreeColumns, type TemporalFile, type TemporalFileColumns } from "./shapes.ts";

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

/** A tree's columns as they are written: grown by doubling, cut to length by `columns`. */
class TreeColumns {
  length = 0;
  parent = new Int32Array(1024);
  function = new Int32Array(1024);
  filename = new Int32Array(1024);
  lineno = new Float64Array(1024);
  thread = new Int32Array(1024);
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  flags = new Uint8Array(1024);

  readonly withValues: boolean;

  constructor(withValues: boolean) {
    this.withValues = withValues;
    this.valueBytes = new Float64Array(withValues ? 1024 : 0);
    this.nAllocations = new Float64Array(withValues ? 1024 : 0);
  }

  push(parent: number, fn: number, file: number, line: number, thread: number, value: number, n: number, flags: number): number {
    const at = this.length++;
    if (at === this.parent.length) this.grow(at * 2);
    this.parent[at] = parent;
    this.function[at] = fn;
    this.filename[at] = file;
    this.lineno[at] = line;
    this.thread[at] = thread;
    if (this.withValues) {
      this.valueBytes[at] = value;
      this.nAllocations[at] = n;
    }
    this.flags[at] = flags;
    return at;
  }

  private grow(n: number): void {
    this.parent = resized(this.parent, n);
    this.function = resized(this.function, n);
    this.filename = resized(this.filename, n);
    this.lineno = resized(this.lineno, n);
    this.thread = resized(this.thread, n);
    if (this.withValues) {
      this.valueBytes = resized(this.valueBytes, n);
      this.nAllocations = resized(this.nAllocations, n);
    }
    this.flags = resized(this.flags, n);
  }

  /** The tree's columns (views of this one's, `length` long). */
  columns(strings: string[], totalNodes: number): ColumnarTreeColumns {
    const n = this.length;
    const values = this.withValues ? n : 0;
    return {
      schemaVersion: SCHEMA_VERSION,
      strings,
      parent: this.parent.subarray(0, n),
      function: this.function.subarray(0, n),
      filename: this.filename.subarray(0, n),
      lineno: this.lineno.subarray(0, n),
      thread: this.thread.subarray(0, n),
      valueBytes: this.valueBytes.subarray(0, values),
      nAllocations: this.nAllocations.subarray(0, values),
      flags: this.flags.subarray(0, n),
      otherFrames: {},
      minFrameFraction: 0,
      totalNodes,
    };
  }
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
   * Upper bound of each node's bytes (temporal trees: the sum of its interval bytes); defaults to
   * `valueBytes`. Pruning decisions use it, so no frame that could be visible is merged.
   */
  widths?: Float64Array;
  /** Root width the fraction applies to; defaults to the root's width. */
  rootWidth?: number;
  /** Leave the value columns empty (temporal trees). */
  omitValues?: boolean;
  /**
   * Filled with the index each node was written to (its own or an "other"). An array, not a
   * callback: a merged subtree is a range filled at once (2.5M of generated_cardinality's 2.8M
   * temporal nodes).
   */
  mapped?: Int32Array;
  /** The tree's subtreeSizes, when the caller has them already. */
  subtreeSize?: Int32Array;
}

/** Flatten a tree into columns, in preorder, merging narrow frames into "other" nodes. */
export function encodeTree(tree: FlameColumns, options: EncodeOptions): ColumnarTreeColumns {
  const strings = new StringTable();
  const columns = new TreeColumns(!options.omitValues);
  const otherFrames: Record<string, number> = {};
  let native: Record<string, string> | undefined;
  const subtreeSize = options.subtreeSize ?? subtreeSizes(tree.parent, tree.size);
  const widths = options.widths ?? tree.valueBytes;
  const mapped = options.mapped ?? null;
  const threshold = (options.rootWidth ?? widths[0]!) * options.minFrameFraction;
  const { frames, threads } = tree;

  const push = (parent: number, fn: string, file: string, line: number, thread: string, value: number, n: number, flags: number): number =>
    columns.push(parent, strings.id(fn), strings.id(file), line, strings.id(thread), value, n, flags);

  // Iterative preorder: memray stacks go 400 deep and trees can be wide.
  const workNode: number[] = [0];
  const workParent: number[] = [-1];
  const wide: number[] = [];
  while (workNode.length > 0) {
    const node = workNode.pop()!;
    const f = frames[tree.frame[node]!]!;
    const index = push(workParent.pop()!, f.function, f.filename, f.lineno, threads[tree.thread[node]!]!, tree.valueBytes[node]!, tree.nAllocations[node]!, flagsOf(tree.flags[node]!, f.filename));
    if (f.module !== undefined) (native ??= {})[String(index)] = `${f.module}+0x${(f.offset ?? 0).toString(16)}`;
    if (mapped !== null) mapped[node] = index;
    wide.length = 0;
    let narrowByThread: Map<string, number[]> | null = null;
    for (let c = node + 1, end = node + subtreeSize[node]!; c < end; c += subtreeSize[c]!) {
      if (threshold > 0 && widths[c]! < threshold) {
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
        mapped?.fill(otherIndex, c, end);
      }
      otherFrames[String(otherIndex)] = merged;
    }
    for (let i = wide.length - 1; i >= 0; i--) {
      workNode.push(wide[i]!);
      workParent.push(index);
    }
  }
  // The fields in the files' order (their bytes are the JSON of this object).
  const out = columns.columns(strings.strings, tree.size);
  out.otherFrames = otherFrames;
  out.minFrameFraction = threshold > 0 ? options.minFrameFraction : 0;
  if (native !== undefined) out.native = native;
  return out;
}

/**
 * Temporal data with pruning: a frame whose interval bytes sum (an upper bound of its size in
 * any time range) stays under the threshold is merged; its intervals move to the "other" node
 * and identical intervals are summed (in the order they first appear).
 */
export function encodeTemporal(data: TemporalData, mode: TemporalFile["mode"], minFrameFraction: number): TemporalFileColumns {
  // Record nodes index the tree's preorder columns.
  const size = data.tree.size;
  const iv = data.intervals;
  const { starts, recordNode } = iv;
  const ownBound = new Float64Array(size);
  for (let r = 0; r < recordNode.length; r++) {
    const node = recordNode[r]!;
    for (let i = starts[r]!; i < starts[r + 1]!; i++) ownBound[node] = ownBound[node]! + Math.abs(iv.nBytes[i]!);
  }
  const subtreeSize = subtreeSizes(data.tree.parent, size);
  // Summed in place, each node into its parent, backwards in preorder (a parent precedes its
  // subtree): byte counts are integers, so the order of the sums does not change them.
  const bound = ownBound;
  const parent = data.tree.parent;
  for (let i = size - 1; i > 0; i--) bound[parent[i]!] = bound[parent[i]!]! + bound[i]!;
  const peakBytes = data.highWaterMarkBySnapshot ? Math.max(0, ...data.highWaterMarkBySnapshot) : size > 0 ? bound[0]! : 0;

  const mapped = new Int32Array(size);
  const tree = encodeTree(data.tree, {
    minFrameFraction,
    widths: bound,
    rootWidth: peakBytes,
    omitValues: true,
    mapped,
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
  const merge = mergeIntervals(iv, mapped, written);
  // The entries are made as each column is written, from the intervals and the merge: five
  // output columns of 3.6M entries were 101 MB of pyalloc x16's temporal leaks file.
  const entryOf = merge?.entryOf ?? null;
  const sums = merge?.sums ?? null;
  const entries = merge?.entries ?? n;
  /** Column `column` at the intervals that make entries (their sums' `sumColumn` where merged); null: their written nodes. */
  const firsts = (column: ArrayLike<number> | null, sumColumn: number): NumberStream => {
    let next = 0; // interval of entry `at`
    let at = 0;
    let r = 0; // a record at or before interval `next`'s
    return {
      length: entries,
      fill(start, out) {
        if (start < at) next = at = r = 0;
        for (const end = start + out.length; at < end; next++) {
          const e = entryOf === null ? 0 : entryOf[next]!;
          if (e === -1) continue;
          if (at >= start) {
            if (column === null) {
              while (next >= starts[r + 1]!) r++;
              out[at - start] = mapped[recordNode[r]!]!;
            } else {
              out[at - start] = e > 0 && sumColumn >= 0 ? sums![2 * (e - 1) + sumColumn]! : column[next]!;
            }
          }
          at++;
        }
      },
    };
  };
  // Every interval its own entry (pyalloc x16's high-water mark: 3.5M intervals): the analysis'
  // columns are the file's, read only.
  if (merge === null) return file({ ...iv, node: firsts(null, -1) });
  return file({
    allocatedBefore: firsts(iv.allocatedBefore, -1),
    deallocatedBefore: firsts(iv.deallocatedBefore, -1),
    node: firsts(null, -1),
    nAllocations: firsts(iv.nAllocations, 0),
    nBytes: firsts(iv.nBytes, 1),
  });
}

/**
 * Which intervals merge, by (written node, allocatedBefore, deallocatedBefore), entries in the order
 * keys first appear; null when none does. `entryOf[i]`: −1 when interval i is added to an earlier
 * entry, 0 when it makes one, s + 1 when it makes one that others are added to, whose sums
 * (nAllocations, nBytes) are `sums[2s]`, `sums[2s + 1]`, added in interval order.
 *
 * A node whose intervals come in increasing order (a record's are sorted, and an unpruned node is
 * one record's) merges an interval only into its node's previous one: no lookup. The intervals of
 * the other nodes (a merged "other" node, a stack of several records) are grouped by node, and
 * each node's keys found in a table of that node's keys only, which stays in cache (pyalloc x16's
 * temporal leaks: 3.9M intervals, all in merged nodes, at most 18k entries a node). One table of
 * every entry missed the cache on nearly every lookup (0.47 s there), and three stable counting
 * passes into key order took ~0.5 s.
 */
function mergeIntervals(
  iv: TemporalData["intervals"],
  mapped: Int32Array,
  written: number,
): { entryOf: Int32Array; entries: number; sums: Float64Array } | null {
  const n = iv.length;
  const { allocatedBefore: ab, deallocatedBefore: db, starts, recordNode } = iv;
  const records = recordNode.length;
  // Per written node: its previous interval + 1 (0: none yet), its intervals, and whether its
  // keys ever go down.
  const previous = new Int32Array(written);
  const next = new Int32Array(written);
  const unordered = new Uint8Array(written);
  for (let r = 0; r < records; r++) {
    const to = mapped[recordNode[r]!]!;
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      const p = previous[to]! - 1;
      if (p >= 0 && unordered[to] === 0 && (ab[i]! - ab[p]! || db[i]! - db[p]!) < 0) unordered[to] = 1;
      previous[to] = i + 1;
      next[to]!++;
    }
  }
  // The intervals of nodes whose keys go down, grouped by node in interval order (`byNode`, node
  // w's from start[w]); `next` turns from counts into each node's next place.
  const start = new Int32Array(written + 1);
  for (let w = 0; w < written; w++) {
    start[w + 1] = start[w]! + (unordered[w] !== 0 ? next[w]! : 0);
    next[w] = start[w]!;
  }
  const nUnordered = start[written]!;
  const byNode = new Int32Array(nUnordered);

  let entryOf: Int32Array | null = null;
  let sums = new Float64Array(0);
  let sumCount = 0;
  /** Interval `i` is added to `into`'s entry. */
  const addTo = (into: number, i: number): void => {
    entryOf ??= new Int32Array(n);
    entryOf[i] = -1;
    let e = entryOf[into]!;
    if (e === 0) {
      if (2 * sumCount === sums.length) {
        sums = resized(sums, Math.max(1024, sums.length * 2));
      }
      sums[2 * sumCount] = iv.nAllocations[into]!;
      sums[2 * sumCount + 1] = iv.nBytes[into]!;
      e = entryOf[into] = ++sumCount;
    }
    sums[2 * (e - 1)]! += iv.nAllocations[i]!;
    sums[2 * (e - 1) + 1]! += iv.nBytes[i]!;
  };
  let merged = 0;

  // Ordered nodes: an interval with its node's previous key joins that one's entry.
  previous.fill(0);
  for (let r = 0; r < records; r++) {
    const to = mapped[recordNode[r]!]!;
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      if (unordered[to] !== 0) {
        byNode[next[to]!++] = i;
        continue;
      }
      const p = previous[to]! - 1;
      if (p >= 0 && ab[i] === ab[p] && db[i] === db[p]) {
        addTo(p, i);
        merged++;
      } else {
        previous[to] = i + 1;
      }
    }
  }

  // The rest, node by node, each node's keys through one small table reused from node to node (a
  // slot is the current node's while its stamp is the node): the first interval of a key makes
  // its entry, the others are added to it in interval order.
  if (nUnordered > 0) {
    let stamp = new Int32Array(1024).fill(-1);
    let first = new Int32Array(1024);
    /** The slot of key (a, d) in node w's part of the table: its first interval's, or the empty one it would take. */
    const slotOf = (a: number, d: number, w: number): number => {
      const mask = stamp.length - 1;
      let slot = keyHash(a, d) & mask;
      while (stamp[slot] === w && (ab[first[slot]!] !== a || db[first[slot]!] !== d)) slot = (slot + 1) & mask;
      return slot;
    };
    for (let w = 0; w < written; w++) {
      let keys = 0;
      for (let k = start[w]!, end = start[w + 1]!; k < end; k++) {
        const i = byNode[k]!;
        const slot = slotOf(ab[i]!, db[i]!, w);
        if (stamp[slot] === w) {
          addTo(first[slot]!, i);
          merged++;
          continue;
        }
        stamp[slot] = w;
        first[slot] = i;
        if (++keys * 2 > stamp.length) {
          // Twice the slots, this node's keys placed again (other nodes' are done with).
          const [oldStamp, oldFirst] = [stamp, first];
          stamp = new Int32Array(oldStamp.length * 2).fill(-1);
          first = new Int32Array(oldStamp.length * 2);
          for (let t = 0; t < oldStamp.length; t++) {
            if (oldStamp[t] !== w) continue;
            const f = oldFirst[t]!;
            const to = slotOf(ab[f]!, db[f]!, w);
            stamp[to] = w;
            first[to] = f;
          }
        }
      }
    }
  }
  release(byNode);
  return entryOf === null ? null : { entryOf, entries: n - merged, sums };
}

/** A hash of an interval's key (allocatedBefore, deallocatedBefore) for mergeIntervals' table. */
function keyHash(allocatedBefore: number, deallocatedBefore: number): number {
  const h = Math.imul(allocatedBefore, 0x9e3779b1) ^ Math.imul(deallocatedBefore + 1, 0x85ebca6b);
  return h ^ (h >>> 15);
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

export function decodeTree(tree: ColumnarTree | ColumnarTreeColumns): TreeData {
  const size = tree.parent.length;
  const children: number[][] = Array.from({ length: size }, () => []);
  const parent = Int32Array.from(tree.parent);
  for (let i = 1; i < size; i++) children[parent[i]!]!.push(i);
  const s = tree.strings;
  return {
    size,
    parent,
    children,
    function: Array.from(tree.function, (id) => s[id] ?? ""),
    filename: Array.from(tree.filename, (id) => s[id] ?? ""),
    lineno: Int32Array.from(tree.lineno),
    thread: Array.from(tree.thread, (id) => s[id] ?? ""),
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
