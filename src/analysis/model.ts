/**
 * The analysis stage's output model: what a capture means, with no I/O and no JSON shapes.
 * The content stage serialises these; the CLI prints them. Sizes are bytes, times ms.
 */
import type { CaptureHeader, ReadSummary } from "../reader/index.ts";

/** A Python or native frame as reports show it. Native frames: `function` is `module+0xoffset`. */
export interface FrameKey {
  function: string;
  filename: string;
  lineno: number;
  /**
   * Symbolized native frames only: the image the ip fell in and the ip's offset in it (for a
   * tooltip). Not part of the frame's identity: frames memray merges (same function, file,
   * line) keep the first ip's image and offset.
   */
  module?: string;
  offset?: number;
}

/*
 * A tree has six shapes, each for a reason:
 * - FlameTreeBuilder's build tables (flame.ts): adding a record must allocate nothing;
 * - FlameColumns (here): the built tree in preorder typed columns with the capture's shared frame
 *   table, what the analysis hands the content stage (never one object per node);
 * - FlameNode (here; TreeSummaryNode adds one flag): node objects, for the command line's JSON
 *   and the tree summary, which stay small or are printed whole;
 * - ColumnarTree (content/shapes.ts): the versioned JSON on disk, pruned;
 * - TreeData (content/columnar.ts): that JSON decoded to typed columns, so the browser sums time
 *   ranges and filters without making objects;
 * - FlameDatum (site/flame.ts): the nested objects d3-flame-graph requires, made for the drawn
 *   part only.
 */

/** Bits of `FlameColumns.flags`. */
export const TreeFlag = {
  /** memray's `interesting` (see FlameNode). */
  INTERESTING: 1,
  /** Inside the import machinery. */
  IMPORT_SYSTEM: 2,
  /** The tree summary's "N allocations from K locations below the threshold" leaf. */
  ELIDED: 4,
} as const;

/**
 * A tree as typed columns, nodes in preorder (node 0 is the root, a node's children follow it in
 * their order, `parent[i] < i`). Frames and thread labels are indices into tables that the trees
 * of one capture share.
 */
export interface FlameColumns {
  size: number;
  /** Preorder index of each node's parent, −1 for the root. */
  parent: Int32Array;
  /** Index into `frames`. */
  frame: Int32Array;
  frames: readonly FrameKey[];
  /** Index into `threads`. */
  thread: Int32Array;
  threads: readonly string[];
  /** Bytes and allocations of each node's subtree. */
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  /** TreeFlag bits. */
  flags: Uint8Array;
}

/**
 * Subtree sizes of a tree whose parents come before their children (`parent[i] < i`: preorder
 * columns, or a builder's creation order). In preorder, node i's children are i + 1, then each
 * next one a subtree further, up to i + size[i]: one array instead of child links (four arrays
 * were 44 MB of garbage per encoded tree on a 2.8M-node temporal tree).
 */
export function subtreeSizes(parent: Int32Array, size: number): Int32Array {
  const subtreeSize = new Int32Array(size).fill(1);
  for (let i = size - 1; i > 0; i--) subtreeSize[parent[i]!]! += subtreeSize[i]!;
  return subtreeSize;
}

/** One node of a flame tree (memray's `flamegraph` tree, docs/capture-format.md §5.6). A tree's root is `<root>`. */
export interface FlameNode extends FrameKey {
  /** Thread label (`0x1`, `0x2 (loader)`), or "merged" when threads are merged. */
  thread: string;
  valueBytes: number;
  nAllocations: number;
  /** Not memray/runpy/CPython-internal and not import system (memray's `interesting`). */
  interesting: boolean;
  /** Inside the import machinery (inherited downwards, non-inverted trees only). */
  importSystem: boolean;
  children: FlameNode[];
}

/** The snapshot a flame tree shows. */
export type FlameView = "peak" | "leaks" | "temporary";

/** One memory sample: time, resident set size, heap (live tracked bytes). */
export interface MemorySample {
  timeMs: number;
  rssBytes: number;
  heapBytes: number;
}

/**
 * Temporal data (§5.4): intervals of live bytes per flame node, by snapshot number, so a client
 * can find the high-water mark or the leaks inside any time range. Interval node ids index the
 * tree's preorder columns; the tree's own values are 0 (a client sums the intervals).
 */
/**
 * Temporal intervals as columns, one entry per interval (snapshot numbers), grouped by record: a
 * high-cardinality capture has millions, and a tuple each cost ~95 bytes and the collector's
 * time. A record's intervals share its node, so the node is kept per record: a column per
 * interval was 30 MB of generated_pyalloc_x16's 7.4M intervals.
 */
export interface TemporalIntervals {
  length: number;
  /** Record r's intervals are [starts[r], starts[r + 1]) of the columns (records + 1 entries). */
  starts: Int32Array;
  /** Record r's node: an index into the tree's preorder columns. */
  recordNode: Int32Array;
  allocatedBefore: SnapshotColumn;
  /** −1: still live at the end (memray's null). */
  deallocatedBefore: SnapshotColumn;
  nAllocations: CountColumn;
  nBytes: IntColumn;
}

/**
 * Snapshot numbers, Int16 while every one fits (memray's default `--max-memory-records` keeps
 * them below 10,001), else Int32 (analysis/snapshots.ts' TemporalBuilder widens as it goes).
 */
export type SnapshotColumn = Int16Array | Int32Array;
/** Byte sums, Int32 while every value fits, else Float64. */
export type IntColumn = Int32Array | Float64Array;
/** Counts: the narrowest of Int16, Int32 and Float64 their values fit (most count a few allocations). */
export type CountColumn = Int16Array | Int32Array | Float64Array;

export interface TemporalData {
  tree: FlameColumns;
  intervals: TemporalIntervals;
  /** Heap high-water mark per snapshot (HWM mode), null in leaks mode. */
  highWaterMarkBySnapshot: number[] | null;
}

/** `memray stats`, in heaptrail's names. */
export interface CaptureStats {
  totalNumAllocations: number;
  totalBytesAllocated: number;
  peakMemoryBytes: number;
  /** 10 log-scale bins, as memray's histogram. */
  allocationSizeHistogram: Array<{ minBytes: number; maxBytes: number; count: number }>;
  /** memray's allocator enum names → count, sorted descending. */
  allocatorTypeDistribution: Array<{ allocator: string; count: number }>;
  /** `function:file:line` (or "<stack trace unavailable>") by bytes / by count. */
  topAllocationsBySize: Array<{ location: string; sizeBytes: number }>;
  topAllocationsByCount: Array<{ location: string; count: number }>;
  /** memray 1.20's per-module figures; null when the header has no paths (< v13). */
  topModulesBySize: Array<{ module: string; sizeBytes: number }> | null;
  topModulesByCount: Array<{ module: string; count: number }> | null;
}

/**
 * A `memray tree`-like summary node (§5.7): a flame node plus one flag, so every tree consumer
 * (flameColumns, the CLI) takes both.
 */
export interface TreeSummaryNode extends FlameNode {
  /** True for the "N allocations from K locations below the configured threshold" leaf. */
  elided: boolean;
  children: TreeSummaryNode[];
}

/** Everything heaptrail knows about one capture, from one pass. */
export interface RunAnalysis {
  header: CaptureHeader;
  read: ReadSummary;
  /** Thread id → name (last name set). */
  threadNames: Map<number, string>;
  peakMemoryBytes: number;
  /** Bytes still live at the end. */
  leakedBytes: number;
  /** memray stats; null for aggregated captures (memray refuses them). */
  stats: CaptureStats | null;
  /** Memory over time, capped at `maxMemoryRecords` like memray. */
  memory: MemorySample[];
  /** Flame trees per view (threads merged) and split by thread. Temporary is null for aggregated files. */
  flame: Record<FlameView, FlameColumns | null>;
  flameByThread: Record<FlameView, FlameColumns | null>;
  /** Inverted peak tree, and the variant with the import system cut away. */
  inverted: FlameColumns;
  invertedNoImports: FlameColumns;
  /** Temporal HWM and leaks data; null for aggregated captures. */
  temporal: { highWaterMark: TemporalData; leaks: TemporalData } | null;
  /** Tree summary of the peak (memray tree). */
  tree: FlameColumns;
}
