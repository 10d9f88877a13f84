/** The differential flame tree: grown, shrunk, new, vanished, totals, pruned nodes, settings. */
import { describe, expect, test } from "vitest";
import { callSiteChanges, diffTrees, DiffFlag, flameNodeSource, type DiffTree } from "../../src/analysis/diff.ts";
import type { FlameNode } from "../../src/analysis/model.ts";
import { decodeTree, encodeTree } from "../../src/content/columnar.ts";
import { treeDataSource } from "../../src/content/diff-source.ts";
import { flameNode } from "../helpers/entries.ts";

/** A tree from `fn` → children or leaf [bytes, count]; a node's value is its subtree's sum. */
type Spec = { [fn: string]: Spec | [number, number] };
function tree(spec: Spec, fn = "<root>"): FlameNode {
  const children = Object.entries(spec).map(([name, s]) => (Array.isArray(s) ? leaf(name, s[0], s[1]) : tree(s, name)));
  return node(fn, children.reduce((a, c) => a + c.valueBytes, 0), children.reduce((a, c) => a + c.nAllocations, 0), children);
}
function leaf(fn: string, bytes: number, n: number): FlameNode {
  return node(fn, bytes, n, []);
}
function node(fn: string, valueBytes: number, nAllocations: number, children: FlameNode[]): FlameNode {
  return flameNode(fn, { filename: fn === "<root>" ? "" : "app.py", lineno: fn.length, valueBytes, nAllocations }, children);
}

function find(d: DiffTree, path: string[]): number {
  let i = 0;
  for (const name of path) {
    const next = d.children[i]!.find((c) => d.function[c] === name);
    if (next === undefined) throw new Error(`no ${path.join("/")}`);
    i = next;
  }
  return i;
}

const BASE = tree({ main: { load: [100, 1], parse: { split: [300, 3], old: [50, 5] } }, init: [10, 1] });
const HEAD = tree({ main: { load: [400, 2], parse: { split: [200, 2], fresh: [70, 7] } }, init: [10, 1] });

describe("diffTrees", () => {
  const d = diffTrees(flameNodeSource(BASE), flameNodeSource(HEAD));

  test("grown and shrunk stacks carry both sides' bytes and counts", () => {
    const load = find(d, ["main", "load"]);
    expect([d.baseBytes[load], d.headBytes[load], d.baseCount[load], d.headCount[load]]).toEqual([100, 400, 1, 2]);
    const split = find(d, ["main", "parse", "split"]);
    expect([d.baseBytes[split], d.headBytes[split]]).toEqual([300, 200]);
    expect(d.flags[load]! & (DiffFlag.NEW | DiffFlag.VANISHED)).toBe(0);
  });

  test("stacks of one run only are kept, flagged new or vanished", () => {
    const fresh = find(d, ["main", "parse", "fresh"]);
    expect([d.baseBytes[fresh], d.headBytes[fresh], d.headCount[fresh]]).toEqual([0, 70, 7]);
    expect(d.flags[fresh]! & DiffFlag.NEW).toBeTruthy();
    const old = find(d, ["main", "parse", "old"]);
    expect([d.baseBytes[old], d.headBytes[old], d.baseCount[old]]).toEqual([50, 0, 5]);
    expect(d.flags[old]! & DiffFlag.VANISHED).toBeTruthy();
  });

  test("totals equal each run's total, and every parent is the sum of its children on both sides", () => {
    expect(d.baseBytes[0]).toBe(BASE.valueBytes);
    expect(d.headBytes[0]).toBe(HEAD.valueBytes);
    expect(d.baseCount[0]).toBe(BASE.nAllocations);
    expect(d.headCount[0]).toBe(HEAD.nAllocations);
    for (let i = 0; i < d.size; i++) {
      const kids = d.children[i]!;
      if (kids.length === 0) continue;
      expect(kids.reduce((s, c) => s + d.baseBytes[c]!, 0)).toBe(d.baseBytes[i]);
      expect(kids.reduce((s, c) => s + d.headBytes[c]!, 0)).toBe(d.headBytes[i]);
    }
  });

  test("identical runs give an all-zero diff", () => {
    const same = diffTrees(flameNodeSource(BASE), flameNodeSource(structuredClone(BASE)));
    for (let i = 0; i < same.size; i++) {
      expect(same.headBytes[i]! - same.baseBytes[i]!).toBe(0);
      expect(same.headCount[i]! - same.baseCount[i]!).toBe(0);
      expect(same.flags[i]! & (DiffFlag.NEW | DiffFlag.VANISHED)).toBe(0);
    }
    expect(callSiteChanges(same)).toEqual([]);
  });

  test("the call sites that explain the change, biggest change first", () => {
    const sites = callSiteChanges(d);
    expect(sites.map((s) => [s.function, s.deltaBytes])).toEqual([
      ["load", 300],
      ["split", -100],
      ["fresh", 70],
      ["old", -50],
    ]);
  });

  test("children are matched by identity, not position", () => {
    const a = tree({ x: [1, 1], y: [2, 1], z: [3, 1] });
    const b = tree({ z: [30, 1], x: [10, 1], w: [5, 1] });
    const t = diffTrees(flameNodeSource(a), flameNodeSource(b));
    expect(t.children[0]!.map((c) => [t.function[c], t.baseBytes[c], t.headBytes[c]])).toEqual([
      ["z", 3, 30],
      ["x", 1, 10],
      ["w", 0, 5],
      ["y", 2, 0],
    ]);
  });

  test("threads are part of a node's identity", () => {
    const a = tree({ work: [100, 1] });
    const b = structuredClone(a);
    b.children[0]!.thread = "0x2";
    const t = diffTrees(flameNodeSource(a), flameNodeSource(b));
    expect(t.children[0]!.map((c) => [t.thread[c], t.baseBytes[c], t.headBytes[c]])).toEqual([
      ["0x2", 0, 100],
      ["merged", 100, 0],
    ]);
  });

  test("decoded columns diff like the node objects they were written from", () => {
    const cols = diffTrees(treeDataSource(decodeTree(encodeTree(BASE, { minFrameFraction: 0 }))), treeDataSource(decodeTree(encodeTree(HEAD, { minFrameFraction: 0 }))));
    expect(cols.size).toBe(d.size);
    expect([...cols.baseBytes]).toEqual([...d.baseBytes]);
    expect([...cols.headBytes]).toEqual([...d.headBytes]);
    expect(cols.function).toEqual(d.function);
  });

  test("pruned 'smaller frames' nodes match each other; frames hidden in them are flagged, totals kept", () => {
    // Base prunes the narrow frames under parse; head has `old` wide enough to keep.
    const base = tree({ main: { big: [1_000, 1], parse: { a: [3, 1], b: [4, 1], old: [5, 1] } } });
    const head = tree({ main: { big: [1_000, 1], parse: { a: [3, 1], b: [4, 1], old: [9_000, 1] } } });
    const bt = decodeTree(encodeTree(base, { minFrameFraction: 0.01 }));
    const ht = decodeTree(encodeTree(head, { minFrameFraction: 0.01 }));
    const p = diffTrees(treeDataSource(bt), treeDataSource(ht));
    expect(p.prunedNodes.base).toBeGreaterThan(0);
    expect(p.baseBytes[0]).toBe(base.valueBytes);
    expect(p.headBytes[0]).toBe(head.valueBytes);
    const old = find(p, ["main", "parse", "old"]);
    expect(p.flags[old]! & DiffFlag.MAYBE_PRUNED).toBeTruthy();
    const other = p.children[find(p, ["main", "parse"])]!.filter((c) => p.flags[c]! & DiffFlag.OTHER);
    expect(other).toHaveLength(1);
    expect(p.baseBytes[other[0]!]).toBe(12);
    expect(p.headBytes[other[0]!]).toBe(7);
  });
});
