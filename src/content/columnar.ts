/**
 * Columnar tree encoding (with pruning) and decoding. Browser-safe: no Node imports, so the
 * page decodes with the same module that wrote the files.
 */
import type { FlameNode, TemporalData } from "../analysis/model.ts";
import { NodeFlag, SCHEMA_VERSION, type ColumnarTree, type TemporalFile } from "./shapes.ts";

/** Flame and tree-summary nodes alike (a summary node is a flame node with `elided`). */
type AnyNode = FlameNode;

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

function countNodes(node: AnyNode): number {
  let n = 0;
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    n++;
    for (const c of cur.children) stack.push(c);
  }
  return n;
}

/**
 * memray's launcher and pytest-memray's plugin: `bin/memray`, `memray/__main__.py`,
 * `memray/commands/*` (`_run_tracker` and its callers) and `pytest_memray/*`. memray counts them
 * interesting (so its JSON and folded outputs keep them) but they are frames memray injects, not
 * the user's: the data files mark them irrelevant, so "Hide irrelevant frames" hides them and
 * no graph or tree opens on `_run_tracker`. Their bytes stay counted in their parents.
 */
const LAUNCHER_FILE = /(^|[\\/])(memray[\\/](commands[\\/]|__main__\.py$)|pytest_memray[\\/]|bin[\\/]memray$)/;

export function isLauncherFrame(filename: string): boolean {
  return LAUNCHER_FILE.test(filename);
}

function flagsOf(node: AnyNode): number {
  let f = 0;
  if (node.interesting && !isLauncherFrame(node.filename)) f |= NodeFlag.INTERESTING;
  if (node.importSystem) f |= NodeFlag.IMPORT_SYSTEM;
  if ("elided" in node && node.elided) f |= NodeFlag.ELIDED;
  return f;
}

export interface EncodeOptions {
  /** Merge frames narrower than this fraction of the root; 0 keeps everything. */
  minFrameFraction: number;
  /**
   * Upper bound of a node's bytes (temporal trees: the sum of its interval bytes); defaults to
   * `valueBytes`. Pruning decisions use it, so no frame that could be visible is merged.
   */
  widthOf?: (node: AnyNode) => number;
  /** Root width the fraction applies to; defaults to widthOf(root). */
  rootWidth?: number;
  /** Leave the value columns empty (temporal trees). */
  omitValues?: boolean;
  /** Called with each original node and the index it was written to (its own or an "other"). */
  onMapped?: (node: AnyNode, index: number) => void;
  /** Nodes written as not interesting whatever their frame (memray's own frames, see below). */
  irrelevant?: ReadonlySet<AnyNode>;
}

/** Flatten a tree into columns, in preorder, merging narrow frames into "other" nodes. */
export function encodeTree(root: AnyNode, options: EncodeOptions): ColumnarTree {
  const strings = new StringTable();
  const out = emptyTree(strings);
  out.totalNodes = countNodes(root);
  const widthOf = options.widthOf ?? ((n: AnyNode) => n.valueBytes);
  const threshold = (options.rootWidth ?? widthOf(root)) * options.minFrameFraction;
  out.minFrameFraction = threshold > 0 ? options.minFrameFraction : 0;

  const push = (node: AnyNode | null, parent: number, fields: { fn: string; file: string; line: number; thread: string; value: number; n: number; flags: number }): number => {
    const index = out.parent.length;
    out.parent.push(parent);
    out.function.push(strings.id(fields.fn));
    out.filename.push(strings.id(fields.file));
    out.lineno.push(fields.line);
    out.thread.push(strings.id(fields.thread));
    if (!options.omitValues) {
      out.valueBytes.push(fields.value);
      out.nAllocations.push(fields.n);
    }
    out.flags.push(fields.flags);
    if (node?.module !== undefined) (out.native ??= {})[String(index)] = `${node.module}+0x${(node.offset ?? 0).toString(16)}`;
    if (node !== null) options.onMapped?.(node, index);
    return index;
  };

  const mapSubtree = (node: AnyNode, index: number): number => {
    // Every node of a merged subtree maps to the "other" node; returns how many there were.
    let n = 0;
    const stack: AnyNode[] = [node];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      n++;
      options.onMapped?.(cur, index);
      for (const c of cur.children) stack.push(c);
    }
    return n;
  };

  // Iterative preorder: memray stacks go 400 deep and trees can be wide.
  const work: Array<{ node: AnyNode; parent: number }> = [{ node: root, parent: -1 }];
  while (work.length > 0) {
    const { node, parent } = work.pop()!;
    const index = push(node, parent, {
      fn: node.function,
      file: node.filename,
      line: node.lineno,
      thread: node.thread,
      value: node.valueBytes,
      n: node.nAllocations,
      flags: options.irrelevant?.has(node) ? flagsOf(node) & ~NodeFlag.INTERESTING : flagsOf(node),
    });
    const wide: AnyNode[] = [];
    const narrowByThread = new Map<string, AnyNode[]>();
    for (const child of node.children) {
      if (threshold > 0 && widthOf(child) < threshold) {
        const group = narrowByThread.get(child.thread) ?? [];
        group.push(child);
        narrowByThread.set(child.thread, group);
      } else {
        wide.push(child);
      }
    }
    for (const [thread, group] of narrowByThread) {
      // A lone narrow leaf costs no more than an "other" node and keeps its name.
      if (group.length === 1 && group[0]!.children.length === 0) {
        wide.push(group[0]!);
        continue;
      }
      let value = 0;
      let n = 0;
      for (const c of group) {
        value += c.valueBytes;
        n += c.nAllocations;
      }
      // Always shown: hiding it as "uninteresting" would hide bytes the user cannot find.
      const otherIndex = push(null, index, {
        fn: "<other>",
        file: "",
        line: 0,
        thread,
        value,
        n,
        flags: NodeFlag.OTHER | NodeFlag.INTERESTING,
      });
      let frames = 0;
      for (const c of group) frames += mapSubtree(c, otherIndex);
      out.otherFrames[String(otherIndex)] = frames;
    }
    for (let i = wide.length - 1; i >= 0; i--) work.push({ node: wide[i]!, parent: index });
  }
  return out;
}

/** memray's command line and the runpy module that starts the script (`bin/memray`, `.../memray/commands/run.py`). */
const RUNNER_FILE = /(^|[\\/])memray([\\/]|$)|(^|[\\/])runpy\.py$|^<frozen runpy>$/;

/**
 * The frames `memray run` puts above the script on the main thread: the outermost
 * `skippedFrames` (the header's skipped_frames_on_main_tid) of a path made only of memray's and
 * runpy's own frames. memray trims them from every main-thread stack, except in temporal data,
 * whose threads are merged; marked irrelevant here, "Hide irrelevant frames" hides them there too,
 * and the temporal view over the whole run shows what the peak view shows.
 */
export function runnerFrames(root: AnyNode, skippedFrames: number): Set<AnyNode> {
  const out = new Set<AnyNode>();
  const work: Array<{ node: AnyNode; depth: number }> = root.children.map((node) => ({ node, depth: 1 }));
  while (work.length > 0) {
    const { node, depth } = work.pop()!;
    if (depth > skippedFrames || !RUNNER_FILE.test(node.filename)) continue;
    out.add(node);
    for (const c of node.children) work.push({ node: c, depth: depth + 1 });
  }
  return out;
}

/**
 * Temporal data with pruning: a frame whose interval bytes sum (an upper bound of its size in
 * any time range) stays under the threshold is merged; its intervals move to the "other" node
 * and identical intervals are summed.
 */
export function encodeTemporal(data: TemporalData, mode: TemporalFile["mode"], minFrameFraction: number, skippedFrames = 0): TemporalFile {
  // Interval node ids index the analysis' own node list (children after their parents).
  const nodes: readonly AnyNode[] = data.nodes;
  const ownBound = new Float64Array(nodes.length);
  let peakBytes = 0;
  for (const [, , node, , nBytes] of data.intervals) ownBound[node] = (ownBound[node] ?? 0) + Math.abs(nBytes);
  const bound = new Map<AnyNode, number>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    let sum = ownBound[i]!;
    for (const c of node.children) sum += bound.get(c) ?? 0;
    bound.set(node, sum);
  }
  if (data.highWaterMarkBySnapshot) peakBytes = Math.max(0, ...data.highWaterMarkBySnapshot);
  else peakBytes = bound.get(data.tree) ?? 0;

  const indexOf = new Map<AnyNode, number>();
  const tree = encodeTree(data.tree, {
    minFrameFraction,
    widthOf: (n) => bound.get(n) ?? 0,
    rootWidth: peakBytes,
    omitValues: true,
    onMapped: (n, i) => indexOf.set(n, i),
    irrelevant: runnerFrames(data.tree, skippedFrames),
  });
  const merged = new Map<string, [number, number, number, number, number]>();
  for (const [ab, db, node, n, bytes] of data.intervals) {
    const mapped = indexOf.get(nodes[node]!) ?? 0;
    const key = `${mapped},${ab},${db ?? -1}`;
    const prev = merged.get(key);
    if (prev) {
      prev[3] += n;
      prev[4] += bytes;
    } else {
      merged.set(key, [ab, db ?? -1, mapped, n, bytes]);
    }
  }
  const out: TemporalFile = {
    schemaVersion: SCHEMA_VERSION,
    mode,
    tree,
    allocatedBefore: [],
    deallocatedBefore: [],
    node: [],
    nAllocations: [],
    nBytes: [],
    highWaterMarkBySnapshot: data.highWaterMarkBySnapshot,
  };
  for (const [ab, db, node, n, bytes] of merged.values()) {
    out.allocatedBefore.push(ab);
    out.deallocatedBefore.push(db);
    out.node.push(node);
    out.nAllocations.push(n);
    out.nBytes.push(bytes);
  }
  return out;
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

export function decodeTemporal(file: TemporalFile): TemporalColumns {
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
