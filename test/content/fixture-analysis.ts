/**
 * Hand-built RunAnalysis objects for site tests (not a capture reader): a small two-thread run
 * with every view, and an option to put hostile strings in every capture-controlled field.
 */
import { FLAME_ROOT, flameColumns } from "../../src/analysis/flame.ts";
import type { FlameNode, RunAnalysis, TemporalData, TreeSummaryNode } from "../../src/analysis/model.ts";
import { recordPerInterval } from "../helpers/intervals.ts";
import { HOSTILE } from "../helpers/hostile.ts";

export { HOSTILE };

interface Spec {
  fn: string;
  file?: string;
  line?: number;
  bytes?: number;
  n?: number;
  interesting?: boolean;
  importSystem?: boolean;
  children?: Spec[];
}

function build(spec: Spec, thread: string, importSystem = false): FlameNode {
  const children = (spec.children ?? []).map((c) => build(c, thread, importSystem || !!spec.importSystem));
  const own = spec.bytes ?? 0;
  const value = own + children.reduce((s, c) => s + c.valueBytes, 0);
  const n = (spec.n ?? (own > 0 ? 1 : 0)) + children.reduce((s, c) => s + c.nAllocations, 0);
  return {
    function: spec.fn,
    filename: spec.file ?? "app.py",
    lineno: spec.line ?? 1,
    thread,
    valueBytes: value,
    nAllocations: n,
    interesting: spec.interesting ?? !spec.importSystem,
    importSystem: importSystem || !!spec.importSystem,
    children,
  };
}

function root(children: FlameNode[]): FlameNode {
  return {
    // The root as the analysis emits it.
    ...FLAME_ROOT,
    thread: "0x0",
    valueBytes: children.reduce((s, c) => s + c.valueBytes, 0),
    nAllocations: children.reduce((s, c) => s + c.nAllocations, 0),
    interesting: true,
    importSystem: false,
    children,
  };
}

function program(hostile: boolean, scale: number): Spec {
  const fn = hostile ? HOSTILE.function : "load_orders";
  const file = hostile ? HOSTILE.filename : "import_orders.py";
  const narrow: Spec[] = Array.from({ length: 40 }, (_, i) => ({ fn: `tiny_${i}`, file: "import_orders.py", line: 100 + i, bytes: 10 }));
  return {
    fn: "<module>",
    file: "runpy.py",
    line: 88,
    interesting: false,
    children: [
      {
        fn: "main",
        file: "import_orders.py",
        line: 5,
        children: [
          { fn, file, line: 12, bytes: 6_000_000 * scale },
          { fn: "build_indexes", file: "import_orders.py", line: 30, children: [{ fn: "remember", file: "import_orders.py", line: 44, bytes: 3_000_000 * scale }] },
          { fn: "_find_and_load", file: "<frozen importlib._bootstrap>", line: 1007, importSystem: true, children: [{ fn: "json_module", file: "/usr/lib/python3.11/json/__init__.py", line: 1, bytes: 500_000 }] },
          { fn: "small_helpers", file: "import_orders.py", line: 60, children: narrow },
        ],
      },
    ],
  };
}

function preorder(node: FlameNode, out: FlameNode[] = []): FlameNode[] {
  out.push(node);
  for (const c of node.children) preorder(c, out);
  return out;
}

function temporal(tree: FlameNode, leaks: boolean): TemporalData {
  // Each leaf allocates at snapshot k (its position) and, for HWM, half of them are freed later.
  const nodes = preorder(tree);
  const intervals: Array<[number, number | null, number, number, number]> = [];
  let k = 0;
  nodes.forEach((node, i) => {
    if (node.children.length > 0) return;
    const start = k % 8;
    k++;
    intervals.push([start, leaks || k % 2 === 0 ? null : start + 3, i, node.nAllocations, node.valueBytes]);
  });
  const columns: TemporalData["intervals"] = {
    ...recordPerInterval(Int32Array.from(intervals, (t) => t[2])),
    allocatedBefore: Int32Array.from(intervals, (t) => t[0]),
    deallocatedBefore: Int32Array.from(intervals, (t) => t[1] ?? -1),
    nAllocations: Float64Array.from(intervals, (t) => t[3]),
    nBytes: Float64Array.from(intervals, (t) => t[4]),
  };
  return { tree: flameColumns(tree), intervals: columns, highWaterMarkBySnapshot: leaks ? null : [1e6, 4e6, 7e6, 9e6, 8e6, 6e6, 6.5e6, 5e6, 4e6, 4e6] };
}

function toSummary(node: FlameNode): TreeSummaryNode {
  return { ...node, elided: false, children: node.children.map(toSummary) };
}

export function fixtureAnalysis(options: { hostile?: boolean; scale?: number; threads?: number } = {}): RunAnalysis {
  const hostile = options.hostile ?? false;
  const scale = options.scale ?? 1;
  const threadLabel = hostile ? `0x2 (${HOSTILE.thread})` : "0x2 (worker)";
  const mainTree = build(program(hostile, scale), "0x1");
  const worker = build({ fn: "worker_loop", file: "import_orders.py", line: 80, children: [{ fn: "fetch", file: "import_orders.py", line: 90, bytes: 1_500_000 }] }, threadLabel);
  const byThread = root((options.threads ?? 2) > 1 ? [mainTree, worker] : [mainTree]);
  const relabel = (n: FlameNode): FlameNode => ({ ...n, thread: "merged", children: n.children.map(relabel) });
  const merged = relabel(byThread);
  merged.thread = "0x0";
  const invertedLeaf = (n: FlameNode): FlameNode => ({ ...n, children: [] });
  const inverted = root(preorder(merged).filter((n) => n.children.length === 0 && n !== merged).map(invertedLeaf));
  const startTimeMs = 1_763_800_000_000;
  const memory = Array.from({ length: 40 }, (_, i) => ({
    timeMs: startTimeMs + i * 50,
    rssBytes: 20e6 + 10e6 * Math.sin(i / 8) ** 2 + i * 1e5,
    heapBytes: 5e6 + 4e6 * Math.sin(i / 8) ** 2,
  }));
  const summary = toSummary(merged);
  summary.function = "<ROOT>";
  summary.filename = "";
  summary.children.push({ function: "3 allocations from 3 locations below the configured threshold", filename: "", lineno: 0, thread: "0x1", valueBytes: 30, nAllocations: 3, interesting: true, importSystem: false, elided: true, children: [] });
  return {
    header: {
      version: 13,
      pythonVersion: 0x030b02f0,
      nativeTraces: false,
      fileFormat: 0,
      nAllocations: 1000,
      nFrames: 50,
      startTimeMs,
      endTimeMs: startTimeMs + 2000,
      commandLine: hostile ? HOSTILE.commandLine : "import_orders.py --sku-index",
      pid: 4242,
      mainTid: 1,
      skippedFramesOnMainTid: 0,
      pythonAllocator: 1,
      tracePythonAllocators: false,
      trackObjectLifetimes: false,
      libdest: "/usr/lib/python3.11",
      sitePackages: [],
      sysPath: [],
      sizeBytes: 200,
    },
    read: { complete: true, warning: null, endOffset: 1000, nAllocationRecords: 1000, nMemoryRecords: 40, compressed: true, nRecords: 1040 },
    threadNames: new Map([[2, hostile ? HOSTILE.thread : "worker"]]),
    peakMemoryBytes: merged.valueBytes,
    leakedBytes: Math.round(merged.valueBytes / 3),
    stats: {
      totalNumAllocations: 1000,
      totalBytesAllocated: merged.valueBytes * 3,
      peakMemoryBytes: merged.valueBytes,
      allocationSizeHistogram: Array.from({ length: 10 }, (_, i) => ({ minBytes: 2 ** i, maxBytes: 2 ** (i + 1) - 1, count: 100 - i * 7 })),
      allocatorTypeDistribution: [
        { allocator: "MALLOC", count: 700 },
        { allocator: "REALLOC", count: 300 },
      ],
      topAllocationsBySize: [{ location: `${hostile ? HOSTILE.function : "load_orders"}:import_orders.py:12`, sizeBytes: 6e6 }],
      topAllocationsByCount: [{ location: "remember:import_orders.py:44", count: 500 }],
      topModulesBySize: null,
      topModulesByCount: null,
    },
    memory,
    flame: { peak: flameColumns(merged), leaks: flameColumns(merged), temporary: flameColumns(merged) },
    flameByThread: { peak: flameColumns(byThread), leaks: flameColumns(byThread), temporary: flameColumns(byThread) },
    inverted: flameColumns(inverted),
    invertedNoImports: flameColumns(inverted),
    temporal: { highWaterMark: temporal(merged, false), leaks: temporal(merged, true) },
    tree: flameColumns(summary),
  };
}
