// The seed examples' shapes, the tree summary, folded stacks and the browser's temporal range.
import { describe, expect, it } from "vitest";
import { analyzeCapture, viewGroups, viewThreadName } from "../../src/analysis/analyze.ts";
import { collectCapture } from "../../src/analysis/collect.ts";
import { foldedStacks } from "../../src/analysis/folded.ts";
import { isImportSystem } from "../../src/analysis/frames.ts";
import type { FlameNode, TreeSummaryNode } from "../../src/analysis/model.ts";
import { temporalNodeTotals } from "../../src/analysis/temporal-range.ts";
import { buildTreeSummary } from "../../src/analysis/tree-summary.ts";
import { MEMRAY_DIR } from "../helpers/fixtures.ts";

const capture = (name: string) => `${MEMRAY_DIR}/1.20.0/${name}.bin`;

function find(node: FlameNode, fn: string, file: string): FlameNode[] {
  const out: FlameNode[] = [];
  const walk = (n: FlameNode) => {
    if (n.function === fn && n.filename === file) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}
const width = (tree: FlameNode, fn: string, file: string) => find(tree, fn, file).reduce((s, n) => s + n.valueBytes, 0);

describe("seed examples", () => {
  it("simple: c and d are equally wide", () => {
    const run = analyzeCapture(capture("simple.default"));
    const c = width(run.flame.peak!, "c", "simple.py");
    expect(c).toBeGreaterThan(100_000);
    expect(width(run.flame.peak!, "d", "simple.py")).toBe(c);
  });

  it("complete: g widest, then e, then i; missing() absent; b about 4x h", () => {
    const tree = analyzeCapture(capture("complete.default")).flame.peak!;
    const [g, e, i] = ["g", "e", "i"].map((f) => width(tree, f, "complete.py"));
    expect(g).toBeGreaterThan(e!);
    expect(e).toBeGreaterThan(i! - 1);
    expect(find(tree, "missing", "complete.py")).toEqual([]);
    const ratio = width(tree, "b", "complete.py") / width(tree, "h", "complete.py");
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(4.5);
  });

  it("inverted: a() is 3x a1() at the top of the inverted tree", () => {
    const run = analyzeCapture(capture("inverted.default"));
    const top = (fn: string) => run.inverted.children.filter((n) => n.function === fn).reduce((s, n) => s + n.valueBytes, 0);
    expect(top("a1")).toBeGreaterThan(900_000);
    expect(top("a") / top("a1")).toBeCloseTo(3, 1);
  });
});

describe("analyzeCapture", () => {
  it("fills every view of an all-allocations capture, stats included", () => {
    const run = analyzeCapture(capture("threads.default"));
    expect(run.peakMemoryBytes).toBe(run.flame.peak!.valueBytes);
    expect(run.stats?.peakMemoryBytes).toBe(run.peakMemoryBytes);
    expect(run.flameByThread.peak!.children.map((c) => c.thread)).toContain("0x2 (loader)");
    expect(run.temporal?.highWaterMark.intervals.length).toBeGreaterThan(0);
    expect(run.tree.valueBytes).toBe(run.peakMemoryBytes);
  });

  it("refuses temporary and temporal views of an aggregated capture, like memray", () => {
    const run = analyzeCapture(capture("threads.aggregate"));
    expect(run.flame.temporary).toBeNull();
    expect(run.temporal).toBeNull();
    expect(run.stats).toBeNull();
    expect(run.flame.peak!.valueBytes).toBe(run.peakMemoryBytes);
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
    const total = groups.reduce((s, g) => s + g.sizeBytes, 0);
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

describe("temporal range (browser)", () => {
  const run = analyzeCapture(capture("temporal.default"));
  const times = run.memory.map((m) => m.timeMs);
  const parentsOf = (tree: FlameNode) => {
    const parents: number[] = [];
    const walk = (n: FlameNode, parent: number) => {
      const i = parents.length;
      parents.push(parent);
      n.children.forEach((k) => walk(k, i));
    };
    walk(tree, -1);
    return parents;
  };

  it("the analysis emits its node numbering: the tree's preorder, with parents", () => {
    for (const data of [run.temporal!.highWaterMark, run.temporal!.leaks]) {
      expect(data.parents).toEqual(parentsOf(data.tree));
      const flat: FlameNode[] = [];
      const walk = (n: FlameNode) => (flat.push(n), n.children.forEach(walk));
      walk(data.tree);
      expect(data.nodes.length).toBe(flat.length);
      data.nodes.forEach((node, i) => expect(node).toBe(flat[i]));
    }
  });

  it("HWM mode over the whole run gives the peak, leaks mode the bytes left", () => {
    const hwm = run.temporal!.highWaterMark;
    const all = temporalNodeTotals("highWaterMark", times, hwm.highWaterMarkBySnapshot, hwm.intervals, parentsOf(hwm.tree), -Infinity, Infinity);
    expect(all.nodeBytes[0]).toBe(Math.max(...hwm.highWaterMarkBySnapshot!));
    expect(all.nodeBytes[0]).toBe(run.peakMemoryBytes);
    const leaks = run.temporal!.leaks;
    const left = temporalNodeTotals("leaks", times, null, leaks.intervals, parentsOf(leaks.tree), -Infinity, Infinity);
    expect(left.nodeBytes[0]).toBe(run.leakedBytes);
  });

  it("a range before the global peak finds the earlier, lower peak", () => {
    const hwm = run.temporal!.highWaterMark;
    const series = hwm.highWaterMarkBySnapshot!;
    const peakAt = series.indexOf(Math.max(...series));
    const cut = times[Math.max(0, peakAt - 3)]!;
    const early = temporalNodeTotals("highWaterMark", times, series, hwm.intervals, parentsOf(hwm.tree), times[0]!, cut);
    expect(early.nodeBytes[0]).toBeLessThan(run.peakMemoryBytes);
    expect(early.nodeBytes[0]).toBe(series[early.peakSnapshot!]);
  });
});
