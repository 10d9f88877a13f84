// The one fixture checker every memray golden test calls: build heaptrail's tree for a flame
// graph variant and compare it, path by path, with the data memray embedded in its HTML.
import { expect } from "vitest";
import { invertedTrees, temporalData, viewTree } from "../../src/analysis/analyze.ts";
import { collectCapture, type CollectedCapture } from "../../src/analysis/collect.ts";
import { memorySamples } from "../../src/analysis/memory.ts";
import type { FlameColumns, FlameNode } from "../../src/analysis/model.ts";
import { intervalNodes } from "../helpers/intervals.ts";
import type { NativeSymbolizer } from "../../src/analysis/flame.ts";
import { createSymbolizer } from "../../src/symbols/index.ts";
import { readJson } from "../helpers/fixtures.ts";

export const FLAME_VARIANTS = [
  "default",
  "leaks",
  "inverted",
  "split-threads",
  "temporary-allocations",
  "temporal",
  "temporal-leaks",
] as const;
export type FlameVariant = (typeof FLAME_VARIANTS)[number];

interface PackedNodes {
  name: number[];
  function: number[];
  filename: number[];
  lineno: number[];
  children: number[][];
  value?: number[];
  n_allocations?: number[];
  thread_id: number[];
  interesting: number[];
  import_system: number[];
}
interface Golden {
  merge_threads: boolean;
  inverted: boolean;
  memory_records: Array<[number, number, number]>;
  packed_data: {
    strings: string[];
    nodes: PackedNodes;
    inverted_no_imports_nodes: PackedNodes | Record<string, never>;
    intervals?: Array<[number, number | null, number, number, number]>;
    high_water_mark_by_snapshot?: number[] | null;
  };
}

const captures = new Map<string, CollectedCapture>();
/** Each capture is read once, whatever the number of variants checked. */
export function loadCapture(path: string): CollectedCapture {
  let c = captures.get(path);
  if (c === undefined) {
    c = collectCapture(path, { temporaryAllocationThreshold: 1 });
    captures.set(path, c);
  }
  return c;
}

const symbolizers = new Map<string, NativeSymbolizer>();
/** The capture's symbolizer (native captures are compared frame for frame when the machine has the binaries). */
function symbolizerFor(path: string, capture: CollectedCapture): NativeSymbolizer {
  let s = symbolizers.get(path);
  if (s === undefined) symbolizers.set(path, (s = createSymbolizer(capture.tables)));
  return s;
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Native frames as memray's symbolizer printed them: unknown, or C/assembler sources. */
function isNativeFrame(filename: string): boolean {
  return filename === "<unknown>" || /\.(c|h|S|cc|cpp|cxx)$/.test(filename);
}

/** memray's own CLI frames, which main-thread trimming hides (inverted trees have them last). */
const MEMRAY_CLI_FRAME = /\/bin\/memray:|memray\/commands\/__init__\.py:|^(run|_run_with_file_output) \(.*memray\/commands\/run\.py:/;

interface PathTotals {
  valueBytes: number;
  nAllocations: number;
  flags: string;
}

interface FlatNode {
  key: string;
  thread: string;
  interesting: boolean;
  importSystem: boolean;
  /** Dropped when comparing with heaptrail's Python-only trees. */
  native: boolean;
  valueBytes: number;
  nAllocations: number;
}

/** Node paths of a tree in preorder: native nodes are skipped (projected away) if asked. */
function pathsOf(nodes: FlatNode[], children: number[][], projectNative: boolean, withThreads: boolean, untrim = 0): string[] {
  const paths = new Array<string>(nodes.length);
  const walk = (i: number, parentPath: string, cliDepth: number): void => {
    const n = nodes[i]!;
    // memray's hybrid stack falls back to the *untrimmed* Python stack when the native frames run
    // out; without symbols we cannot tell when, so drop memray's own CLI frames there.
    const cli = projectNative && i !== 0 && !n.native && cliDepth < untrim && (cliDepth > 0 || /\/bin\/memray:/.test(n.key));
    const skip = (i !== 0 && projectNative && n.native) || cli || (projectNative && untrim < 0 && MEMRAY_CLI_FRAME.test(n.key));
    const path = i === 0 ? "<root>" : skip ? parentPath : `${parentPath} > ${n.key}${withThreads ? ` [${n.thread}]` : ""}`;
    paths[i] = skip ? `${path}\u0000skip` : path;
    for (const c of children[i]!) walk(c, path, i === 0 || n.native ? cliDepth : cli ? cliDepth + 1 : untrim);
  };
  walk(0, "", 0);
  return paths;
}

function unpack(golden: Golden, table: PackedNodes): { nodes: FlatNode[]; children: number[][] } {
  const s = golden.packed_data.strings;
  const nodes = table.function.map((f, i) => {
    const fn = unescapeHtml(s[f]!);
    const file = unescapeHtml(s[table.filename[i]!]!);
    return {
      key: `${fn} (${file}:${table.lineno[i]})`,
      thread: s[table.thread_id[i]!]!,
      interesting: table.interesting[i] === 1,
      importSystem: table.import_system[i] === 1,
      native: isNativeFrame(file),
      valueBytes: table.value?.[i] ?? 0,
      nAllocations: table.n_allocations?.[i] ?? 0,
    };
  });
  return { nodes, children: table.children };
}

/** A node tree (the command's parsed `--format json`) as flat nodes. */
function flatten(root: FlameNode): { nodes: FlatNode[]; children: number[][] } {
  const nodes: FlatNode[] = [];
  const children: number[][] = [];
  const walk = (n: FlameNode): number => {
    const i = nodes.length;
    nodes.push({
      key: `${n.function} (${n.filename}:${n.lineno})`,
      thread: n.thread,
      interesting: n.interesting,
      importSystem: n.importSystem,
      native: false,
      valueBytes: n.valueBytes,
      nAllocations: n.nAllocations,
    });
    children.push([]);
    for (const c of n.children) children[i]!.push(walk(c));
    return i;
  };
  walk(root);
  return { nodes, children };
}

/** A tree's preorder columns as flat nodes. */
function flattenColumns(tree: FlameColumns): { nodes: FlatNode[]; children: number[][] } {
  const children: number[][] = Array.from({ length: tree.size }, () => []);
  for (let i = 1; i < tree.size; i++) children[tree.parent[i]!]!.push(i);
  const nodes = Array.from({ length: tree.size }, (_, i) => {
    const f = tree.frames[tree.frame[i]!]!;
    return {
      key: `${f.function} (${f.filename}:${f.lineno})`,
      thread: tree.threads[tree.thread[i]!]!,
      interesting: (tree.flags[i]! & 1) !== 0,
      importSystem: (tree.flags[i]! & 2) !== 0,
      native: false,
      valueBytes: tree.valueBytes[i]!,
      nAllocations: tree.nAllocations[i]!,
    };
  });
  return { nodes, children };
}

/** Sum per path: merges memray's same-frame siblings that differ only by thread label. */
function totalsByPath(
  tree: { nodes: FlatNode[]; children: number[][] },
  projectNative: boolean,
  withThreads: boolean,
  untrim = 0,
): Map<string, PathTotals> {
  const paths = pathsOf(tree.nodes, tree.children, projectNative, withThreads, untrim);
  const totals = new Map<string, PathTotals>();
  tree.nodes.forEach((n, i) => {
    const path = paths[i]!;
    if (path.endsWith("\u0000skip")) return;
    const flags = projectNative ? "" : `interesting=${n.interesting} import=${n.importSystem}`;
    const t = totals.get(path);
    if (t === undefined) totals.set(path, { valueBytes: n.valueBytes, nAllocations: n.nAllocations, flags });
    else {
      t.valueBytes += n.valueBytes;
      t.nAllocations += n.nAllocations;
    }
  });
  return totals;
}

/** Interval sums per (node path, allocatedBefore, deallocatedBefore). */
function intervalsByPath(
  tree: { nodes: FlatNode[]; children: number[][] },
  intervals: ReadonlyArray<readonly [number, number | null, number, number, number]>,
  projectNative: boolean,
): Map<string, [number, number]> {
  const paths = pathsOf(tree.nodes, tree.children, projectNative, false).map((p) => p.replace(/\u0000skip$/, ""));
  const out = new Map<string, [number, number]>();
  for (const [a, d, node, n, bytes] of intervals) {
    const key = `${paths[node]} @ [${a}, ${d})`;
    const t = out.get(key);
    if (t === undefined) out.set(key, [n, bytes]);
    else {
      t[0] += n;
      t[1] += bytes;
    }
  }
  return out;
}

function sorted<V>(m: Map<string, V>): Array<[string, V]> {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Compare heaptrail with memray's `<capture>.flamegraph-<variant>.json`. Native captures are
 * compared on their Python frames only (memray's native frames need the traced machine's
 * binaries to symbolize), which still checks every value and count along Python paths.
 */
export function checkFlameGolden(capturePath: string, goldenPath: string, variant: FlameVariant, withSymbols = false): void {
  const capture = loadCapture(capturePath);
  const golden = readJson(goldenPath) as Golden;
  const symbolize = withSymbols && capture.header.nativeTraces ? symbolizerFor(capturePath, capture) : undefined;
  // Symbolized native captures are compared whole; otherwise on their Python frames only.
  const native = capture.header.nativeTraces && symbolize === undefined;
  const where = `${goldenPath}`;

  // The memory timeline shown above every graph.
  const s = capture.snapshots;
  const a = capture.aggregated;
  const memory = s
    ? memorySamples(s.memoryTimeMs, s.memoryRssBytes, s.memoryHeapBytes, 10_000)
    : memorySamples(a!.memoryTimeMs, a!.memoryRssBytes, a!.memoryHeapBytes, 10_000);
  expect(memory.map((m) => [m.timeMs, m.rssBytes, m.heapBytes]), `${where}: memory_records`).toEqual(golden.memory_records);

  if (variant === "temporal" || variant === "temporal-leaks") {
    const records = variant === "temporal" ? s!.temporalHighWaterMark : s!.temporalLeaks;
    const data = temporalData(capture.tables, records, variant === "temporal" ? s!.highWaterMarkBySnapshot : null, symbolize);
    const iv = data.intervals;
    const node = intervalNodes(iv);
    const tuples = Array.from({ length: iv.length }, (_, i) => {
      const d = iv.deallocatedBefore[i]!;
      return [iv.allocatedBefore[i]!, d === -1 ? null : d, node[i]!, iv.nAllocations[i]!, iv.nBytes[i]!] as const;
    });
    const ours = intervalsByPath(flattenColumns(data.tree), tuples, false);
    const theirs = intervalsByPath(unpack(golden, golden.packed_data.nodes), golden.packed_data.intervals ?? [], native);
    expect(sorted(ours), `${where}: intervals by node path`).toEqual(sorted(theirs));
    expect(data.highWaterMarkBySnapshot, `${where}: high_water_mark_by_snapshot`).toEqual(golden.packed_data.high_water_mark_by_snapshot);
    return;
  }

  const mergeThreads = variant !== "split-threads";
  expect(golden.merge_threads).toBe(mergeThreads);
  // untrim −1: inverted trees, where memray's untrimmed fallback frames sit at the far end.
  const compare = (ours: FlameColumns, table: PackedNodes, what: string, untrim = capture.header.skippedFramesOnMainTid) => {
    const mine = totalsByPath(flattenColumns(ours), false, !mergeThreads);
    const theirs = totalsByPath(unpack(golden, table), native, !mergeThreads, untrim);
    if (native) for (const t of mine.values()) t.flags = "";
    expect(sorted(mine), `${where}: ${what} by path`).toEqual(sorted(theirs));
  };
  if (variant === "inverted") {
    const trees = invertedTrees(capture, "peak", { mergeThreads: true, symbolize })!;
    compare(trees.inverted, golden.packed_data.nodes, "inverted tree", -1);
    compare(trees.invertedNoImports, golden.packed_data.inverted_no_imports_nodes as PackedNodes, "inverted_no_imports tree", -1);
    return;
  }
  const view = variant === "leaks" ? "leaks" : variant === "temporary-allocations" ? "temporary" : "peak";
  const tree = viewTree(capture, view, { mergeThreads, symbolize });
  expect(tree, `${where}: ${view} available`).not.toBeNull();
  compare(tree!, golden.packed_data.nodes, `${view} tree`);
}

/** Lines `frame;…;frame BYTES`, sorted, one per path whose own bytes (its value less its children's) are not 0. */
function foldPaths(children: readonly (readonly number[])[], frame: (i: number) => string, valueBytes: (i: number) => number): string[] {
  const bytes = new Map<string, number>();
  const walk = (i: number, path: string[]): void => {
    const here = i === 0 ? path : [...path, frame(i)];
    const own = valueBytes(i) - children[i]!.reduce((sum, c) => sum + valueBytes(c), 0);
    if (i !== 0 && own !== 0) bytes.set(here.join(";"), (bytes.get(here.join(";")) ?? 0) + own);
    for (const c of children[i]!) walk(c, here);
  };
  walk(0, []);
  return sorted(bytes).map(([stack, b]) => `${stack} ${b}`);
}

/**
 * memray's flame graph data as folded stacks (`flamegraph` output, frames `function (file:line)`),
 * sorted: each node's own bytes on its path from the root. Of an inverted graph, the paths run
 * innermost frame first.
 */
export function memrayFoldedStacks(goldenPath: string): string[] {
  const golden = readJson(goldenPath) as Golden;
  const { nodes, children } = unpack(golden, golden.packed_data.nodes);
  return foldPaths(children, (i) => nodes[i]!.key, (i) => nodes[i]!.valueBytes);
}

/** A flame tree (the command's `--format json`) as folded stacks, as memrayFoldedStacks. */
export function foldedStacksOf(root: FlameNode): string[] {
  const { nodes, children } = flatten(root);
  return foldPaths(children, (i) => nodes[i]!.key, (i) => nodes[i]!.valueBytes);
}

/** Equal ordering is memray's hash order for tied counts: compare tied groups as sets. */
function sortTies<T extends Record<string, unknown>>(list: T[], key: keyof T): T[] {
  return [...list].sort((a, b) => Number(b[key]) - Number(a[key]) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** `heaptrail stats --json` against `memray stats --json`, key by key. */
export function expectMemrayStatsJson(got: Record<string, any>, want: Record<string, any>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  expect(got.metadata).toEqual(want.metadata);
  expect(got.total_num_allocations).toBe(want.total_num_allocations);
  expect(got.total_bytes_allocated).toBe(want.total_bytes_allocated);
  expect(got.allocation_size_histogram).toEqual(want.allocation_size_histogram);
  expect(got.allocator_type_distribution).toEqual(want.allocator_type_distribution);
  expect(Object.values(got.allocator_type_distribution)).toEqual(Object.values(want.allocator_type_distribution));
  expect(got.top_allocations_by_size).toEqual(want.top_allocations_by_size);
  expect(got.top_allocations_by_count).toEqual(want.top_allocations_by_count);
  if (want.top_modules_by_allocation_size) {
    expect(sortTies(got.top_modules_by_allocation_size, "total_bytes")).toEqual(sortTies(want.top_modules_by_allocation_size, "total_bytes"));
    expect(sortTies(got.top_modules_by_allocation_count, "num_allocations")).toEqual(sortTies(want.top_modules_by_allocation_count, "num_allocations"));
  }
}
