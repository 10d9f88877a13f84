// The seed examples' shapes, the tree summary, folded stacks and the browser's temporal range.
import { describe, expect, it } from "vitest";
import { analyzeCapture, invertedTrees, viewGroups, viewThreadName, viewTree } from "../../src/analysis/analyze.ts";
import { collectCapture } from "../../src/analysis/collect.ts";
import { foldedStacks } from "../../src/analysis/folded.ts";
import { isImportSystem } from "../../src/analysis/frames.ts";
import { TreeFlag, type FlameColumns, type TreeSummaryNode } from "../../src/analysis/model.ts";
import { intervalNodes } from "../helpers/intervals.ts";
import { buildTreeSummary } from "../../src/analysis/tree-summary.ts";
import { MEMRAY_DIR } from "../helpers/fixtures.ts";

const capture = (name: string) => `${MEMRAY_DIR}/1.20.0/${name}.bin`;

/** Nodes of a tree whose frame is `fn` in `file`. */
function find(tree: FlameColumns, fn: string, file: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < tree.size; i++) {
    const f = tree.frames[tree.frame[i]!]!;
    if (f.function === fn && f.filename === file) out.push(i);
  }
  return out;
}
const width = (tree: FlameColumns, fn: string, file: string) => find(tree, fn, file).reduce((s, i) => s + tree.valueBytes[i]!, 0);
const peakTree = (name: string) => viewTree(collectCapture(capture(name)), "peak", { mergeThreads: true })!;
/** The thread labels of a tree's top frames. */
const topThreads = (tree: FlameColumns) => Array.from(tree.parent.keys()).filter((i) => tree.parent[i] === 0).map((i) => tree.threads[tree.thread[i]!]);

describe("seed examples", () => {
  it("simple: c and d are equally wide", () => {
    const tree = peakTree("simple.default");
    const c = width(tree, "c", "simple.py");
    expect(c).toBeGreaterThan(100_000);
    expect(width(tree, "d", "simple.py")).toBe(c);
  });

  it("complete: g widest, then e, then i; missing() absent; b about 4x h", () => {
    const tree = peakTree("complete.default");
    const [g, e, i] = ["g", "e", "i"].map((f) => width(tree, f, "complete.py"));
    expect(g).toBeGreaterThan(e!);
    expect(e).toBeGreaterThan(i! - 1);
    expect(find(tree, "missing", "complete.py")).toEqual([]);
    const ratio = width(tree, "b", "complete.py") / width(tree, "h", "complete.py");
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(4.5);
  });

  it("inverted: a() is 3x a1() at the top of the inverted tree", () => {
    const inverted = invertedTrees(collectCapture(capture("inverted.default")), "peak", { mergeThreads: true })!.inverted;
    const top = (fn: string) => find(inverted, fn, "inverted.py").filter((i) => inverted.parent[i] === 0).reduce((s, i) => s + inverted.valueBytes[i]!, 0);
    expect(top("a1")).toBeGreaterThan(900_000);
    expect(top("a") / top("a1")).toBeCloseTo(3, 1);
  });
});

describe("analyzeCapture", () => {
  it("fills every view of an all-allocations capture, stats included", () => {
    const run = analyzeCapture(capture("threads.default"));
    expect(run.peakMemoryBytes).toBe(run.flame.peak!.valueBytes[0]);
    expect(run.stats?.peakMemoryBytes).toBe(run.peakMemoryBytes);
    expect(topThreads(run.flameByThread.peak!)).toContain("0x2 (loader)");
    expect(new Set(topThreads(run.flame.peak!))).toEqual(new Set(["merged"]));
    expect(run.temporal?.highWaterMark.intervals.length).toBeGreaterThan(0);
    expect(run.tree.valueBytes[0]).toBe(run.peakMemoryBytes);
    expect(run.tree.flags.some((f) => (f & TreeFlag.ELIDED) !== 0)).toBe(false);
  });

  it("refuses temporary and temporal views of an aggregated capture, like memray", () => {
    const run = analyzeCapture(capture("threads.aggregate"));
    expect(run.flame.temporary).toBeNull();
    expect(run.temporal).toBeNull();
    expect(run.stats).toBeNull();
    expect(run.flame.peak!.valueBytes[0]).toBe(run.peakMemoryBytes);
  });

  it("emits temporal trees as preorder columns, parents before children, intervals naming nodes", () => {
    const run = analyzeCapture(capture("temporal.default"));
    for (const data of [run.temporal!.highWaterMark, run.temporal!.leaks]) {
      expect(data.tree.parent[0]).toBe(-1);
      // Preorder: each node's parent is the node before it or one of that node's ancestors.
      for (let i = 1; i < data.tree.size; i++) {
        let k = i - 1;
        while (k !== -1 && k !== data.tree.parent[i]) k = data.tree.parent[k]!;
        expect(k).toBe(data.tree.parent[i]);
      }
      expect(data.intervals.length).toBeGreaterThan(0);
      expect(data.intervals.starts.at(-1)).toBe(data.intervals.length);
      for (const node of intervalNodes(data.intervals)) expect(node).toBeLessThan(data.tree.size);
    }
  });

  it("caps memory samples with memray's stride", () => {
    const run = analyzeCapture(capture("temporal.default"), { maxMemoryRecords: 10 });
    const full = analyzeCapture(capture("temporal.default"));
    const stride = Math.ceil(full.memory.length / 10);
    expect(run.memory).toEqual(full.memory.filter((_, i) => i % stride === 0));
  });
});

describe("tree summary", () => {
  const c = collectCapture(capture("complete.default"));
  const groups = viewGroups(c, "peak", false)!;

  it("keeps -b groups, elides the rest into one leaf, root totals include them", () => {
    const root = buildTreeSummary(c.tables, groups, { biggestAllocs: 3 });
    const total = groups.sizeBytes!.reduce((s, v) => s + v, 0);
    expect(root.valueBytes).toBe(total);
    const elided = root.children.filter((n) => n.elided);
    expect(elided).toHaveLength(1);
    expect(elided[0]!.function).toContain(`from ${groups.length - 3} locations`);
  });

  it("marks import-system nodes by their own frame only", () => {
    const root = buildTreeSummary(c.tables, groups, { biggestAllocs: 500 });
    let checked = 0;
    const walk = (n: TreeSummaryNode) => {
      if (n !== root && !n.elided) {
        expect(n.importSystem).toBe(isImportSystem(n.function, n.filename));
        checked++;
      }
      n.children.forEach(walk);
    };
    walk(root);
    expect(checked).toBeGreaterThan(20);
  });
});

describe("folded stacks", () => {
  const c = collectCapture(capture("threads.default"));
  it("one line per stack, outermost first, bytes adding up to the peak", () => {
    const text = foldedStacks(c.tables, viewGroups(c, "peak", true)!);
    const lines = text.trimEnd().split("\n");
    expect(new Set(lines.map((l) => l.slice(0, l.lastIndexOf(" ")))).size).toBe(lines.length);
    for (const l of lines) expect(l).toMatch(/^[^;]+ \([^;]*:\d+\)(;[^;]+ \([^;]*:\d+\))* \d+$/);
    const sum = lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(sum).toBe(c.snapshots!.peakMemoryBytes);
  });
  it("puts the thread first when threads are split", () => {
    const text = foldedStacks(c.tables, viewGroups(c, "peak", false)!, { splitThreads: true, threadName: viewThreadName(c, "peak") });
    expect(text).toMatch(/^0x2 \(loader\);/m);
  });
});
