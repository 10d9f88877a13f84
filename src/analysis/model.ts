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
 * A tree has five shapes, each for a reason:
 * - FlameTreeBuilder's columns (flame.ts): building per record must allocate nothing;
 * - FlameNode (here; TreeSummaryNode adds one flag): the analysis' model, what the CLI and the
 *   content stage read;
 * - ColumnarTree (content/shapes.ts): the versioned JSON on disk, no per-node objects on the wire;
 * - TreeData (content/columnar.ts): that JSON decoded to typed columns, so the browser sums time
 *   ranges and filters without making objects;
 * - FlameDatum (site/flame.ts): the nested objects d3-flame-graph requires, made for the drawn
 *   part only.
 */

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
 * can find the high-water mark or the leaks inside any time range. Node ids index `nodes`
 * (preorder list of the temporal flame tree; `parents[i]` is node i's parent, −1 for the root).
 */
export interface TemporalData {
  tree: FlameNode;
  /** The tree's nodes in preorder: interval node ids index this list (consumers never renumber). */
  nodes: FlameNode[];
  /** Preorder index of each node's parent, −1 for the root. */
  parents: number[];
  /** [allocatedBefore, deallocatedBefore | null, nodeIndex, nAllocations, nBytes]. */
  intervals: Array<[number, number | null, number, number, number]>;
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
 * (the columnar encoder, the CLI) takes both.
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
  flame: Record<FlameView, FlameNode | null>;
  flameByThread: Record<FlameView, FlameNode | null>;
  /** Inverted peak tree, and the variant with the import system cut away. */
  inverted: FlameNode;
  invertedNoImports: FlameNode;
  /** Temporal HWM and leaks data; null for aggregated captures. */
  temporal: { highWaterMark: TemporalData; leaks: TemporalData } | null;
  /** Tree summary of the peak (memray tree). */
  tree: TreeSummaryNode;
}
