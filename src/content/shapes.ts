/**
 * The static data files' shapes and the schema version: plain TypeScript, no zod, so browser
 * code can import it without pulling the validator into the page. Part of the schema module
 * (schema.ts re-exports everything here).
 */
import type { NumberStream } from "./json-chunks.ts";

/** Bump whenever a shape or its meaning changes: every capture is then re-ingested. */
export const SCHEMA_VERSION = 3;

/**
 * Default pruning threshold for flame data: a frame narrower than this fraction of the root is
 * merged with its narrow siblings into one "other" node (its bytes and frame count are kept).
 * At 1/2000 a frame is under half a pixel on a 1000 px wide graph, so nothing visible is lost.
 */
export const DEFAULT_MIN_FRAME_FRACTION = 1 / 2000;

/** A pointer from a run entry to one of its static data files (relative to the site base). */
export interface DataRef {
  path: string;
  sizeBytes: number;
  /** Nodes written, and nodes of the full tree before pruning (trees only). */
  nodes?: number;
  totalNodes?: number;
}

// ---- Static data files (fetched by the page, never in the content store) -------------------

/**
 * Node flags: a columnar tree's (the first four bits) and a diff tree's (content/diff.ts), which
 * keeps each side's first three and adds the last three (never written to a file).
 */
export const NodeFlag = {
  INTERESTING: 1,
  IMPORT_SYSTEM: 2,
  /** A pruned "other" node: the sum of its narrow siblings (see `otherFrames`). */
  OTHER: 4,
  /** Tree summary's "N allocations from K locations below the threshold" leaf. */
  ELIDED: 8,
  /** Diff: only in head. */
  NEW: 16,
  /** Diff: only in base. */
  VANISHED: 32,
  /** Diff: missing on one side whose parent merged narrow frames there: it may be in those. */
  MAYBE_PRUNED: 64,
} as const;

/**
 * A tree as columns, nodes in preorder (node 0 is the root, parent[0] = -1). Strings are
 * indices into `strings`. Compact and cheap to decode: no per-node objects on the wire.
 */
export interface ColumnarTree {
  schemaVersion: number;
  strings: string[];
  parent: number[];
  function: number[];
  filename: number[];
  lineno: number[];
  thread: number[];
  /** Omitted (empty) in temporal trees, whose values come from intervals. */
  valueBytes: number[];
  nAllocations: number[];
  flags: number[];
  /** Node index → number of frames merged into that "other" node. */
  otherFrames: Record<string, number>;
  /** The fraction below which frames were merged; 0 when nothing was pruned. */
  minFrameFraction: number;
  /** Nodes in the tree before pruning. */
  totalNodes: number;
  /** Symbolized native frames only: node index → "module+0xoffset" (absent when there are none). */
  native?: Record<string, string>;
}

/**
 * A tree as the writer holds it: its columns typed (content/json-chunks.ts writes a typed array as
 * the JSON array of its numbers, so the file's bytes are the same). As number[], a column was 8
 * bytes an entry plus the garbage of its growth, on the JS heap the write stage made grow.
 */
export type ColumnarTreeColumns = Omit<ColumnarTree, "parent" | "function" | "filename" | "lineno" | "thread" | "valueBytes" | "nAllocations" | "flags"> & {
  parent: Int32Array;
  function: Int32Array;
  filename: Int32Array;
  /** Float64: a capture's line numbers are not bounded to Int32. */
  lineno: Float64Array;
  thread: Int32Array;
  valueBytes: Float64Array;
  nAllocations: Float64Array;
  flags: Uint8Array;
};

/** Temporal data: the tree plus the interval columns (docs/capture-format.md §5.4); node ids index the tree. */
export interface TemporalFile {
  schemaVersion: number;
  mode: "highWaterMark" | "leaks";
  tree: ColumnarTree;
  allocatedBefore: number[];
  /** -1 for "still live at the end" (null in memray). */
  deallocatedBefore: number[];
  node: number[];
  nAllocations: number[];
  nBytes: number[];
  highWaterMarkBySnapshot: number[] | null;
}

/**
 * A temporal data file as the writer holds it: the interval columns typed, without a copy as
 * number[] (content/json-chunks.ts writes a typed array as the JSON array of its numbers), or
 * streams made as they are written (merged intervals).
 */
export type TemporalFileColumns = Omit<TemporalFile, "tree" | "allocatedBefore" | "deallocatedBefore" | "node" | "nAllocations" | "nBytes"> & {
  tree: ColumnarTreeColumns;
  allocatedBefore: Int16Array | Int32Array | NumberStream;
  deallocatedBefore: Int16Array | Int32Array | NumberStream;
  node: Int32Array | NumberStream;
  nAllocations: Int16Array | Int32Array | Float64Array | NumberStream;
  nBytes: Int32Array | Float64Array | NumberStream;
};

export interface MemoryFile {
  schemaVersion: number;
  timeMs: number[];
  rssBytes: number[];
  heapBytes: number[];
}

/** file name → line number → text, for the lines frames point at and a few around them. */
export interface SourceFile {
  schemaVersion: number;
  files: Record<string, Record<string, string>>;
}
