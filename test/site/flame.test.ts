/** Flame data from a decoded tree: filters, labels that keep the function name, frame paths. */
import { describe, expect, test } from "vitest";
import { decodeTree, type TreeData } from "../../src/content/columnar.ts";
import { NodeFlag, SCHEMA_VERSION } from "../../src/content/shapes.ts";
import { decodedTree } from "../helpers/entries.ts";
import { buildFlameData, findFramePath, fitLabel, frameLabel, frameName, framePath, matches, type FlameDatum } from "../../src/site/flame.ts";

/** One character, 6 px. */
const measure = (text: string) => text.length * 6;

const I = NodeFlag.INTERESTING;
/** root → run_path (runpy, uninteresting) → main → {load (import system) → parse, work ×2 threads}. */
function sample(): TreeData {
  const nodes: Array<[number, string, string, number, string, number, number]> = [
    // parent, function, file, line, thread, bytes, flags
    [-1, "<root>", "", 0, "merged", 100, I],
    [0, "run_path", "<frozen runpy>", 280, "0x1", 90, 0],
    [1, "main", "/srv/app/main.py", 3, "0x1", 90, I],
    [2, "_find_and_load", "<frozen importlib._bootstrap>", 1007, "0x1", 30, NodeFlag.IMPORT_SYSTEM],
    [3, "parse", "/srv/app/parse.py", 10, "0x1", 30, I | NodeFlag.IMPORT_SYSTEM],
    [2, "work", "/srv/app/work.py", 5, "0x1", 60, I],
    [0, "work", "/srv/app/work.py", 5, "0x2", 10, I],
  ];
  return decodedTree(nodes.map(([parent, fn, file, line, thread, bytes, flags]) => ({ parent, fn, file, line, thread, bytes, flags })));
}

function names(tree: TreeData, d: FlameDatum, depth = 0, out: string[] = []): string[] {
  out.push(`${"  ".repeat(depth)}${frameName(tree, d.idx)}`);
  for (const c of d.children) names(tree, c, depth + 1, out);
  return out;
}

describe("buildFlameData", () => {
  const tree = sample();

  test("hiding irrelevant frames moves their children up and keeps the bytes", () => {
    const d = buildFlameData(tree, { hideUninteresting: true, hideImports: false, thread: "" });
    expect(names(tree, d)).toEqual([
      "root",
      "  main at /srv/app/main.py:3",
      "    work at /srv/app/work.py:5",
      "    parse at /srv/app/parse.py:10",
      "  work at /srv/app/work.py:5",
    ]);
    expect(d.value).toBe(100);
  });

  test("hiding the import system drops the import's frames, not its bytes in the parent", () => {
    const d = buildFlameData(tree, { hideUninteresting: false, hideImports: true, thread: "" });
    const main = d.children[0]!.children[0]!;
    expect(frameName(tree, main.idx)).toBe("main at /srv/app/main.py:3");
    expect(main.value).toBe(90);
    expect(names(tree, main).join("\n")).not.toContain("parse");
  });

  test("a thread filter keeps that thread's frames and sums the root from them", () => {
    const d = buildFlameData(tree, { hideUninteresting: true, hideImports: false, thread: "0x2" });
    expect(names(tree, d)).toEqual(["root", "  work at /srv/app/work.py:5"]);
    expect(d.value).toBe(10);
  });

  test("range values replace the tree's, and frames without bytes or allocations go", () => {
    const valueBytes = Float64Array.from([5, 5, 5, 0, 0, 5, 0]);
    const nAllocations = Float64Array.from([1, 1, 1, 0, 0, 1, 0]);
    const d = buildFlameData(tree, { hideUninteresting: true, hideImports: false, thread: "", valueBytes, nAllocations });
    expect(names(tree, d)).toEqual(["root", "  main at /srv/app/main.py:3", "    work at /srv/app/work.py:5"]);
  });

  test("search matches function or file, case-insensitively, as plain text", () => {
    expect(matches(tree, 5, "WORK")).toBe(true);
    expect(matches(tree, 5, "parse.py")).toBe(false);
    expect(matches(tree, 4, "parse.py")).toBe(true);
    expect(matches(tree, 4, ".*")).toBe(false);
    expect(matches(tree, 4, "")).toBe(false);
  });
});

describe("frame labels", () => {
  const fn = "build_indexes";
  const file = "/home/dev/project/src/orders/import_orders.py";

  test("a wide frame shows the function and its whole location", () => {
    expect(fitLabel(fn, file, 122, 1000, measure)).toBe(`${fn} at ${file}:122`);
  });

  test("narrower: the path loses its middle, the file name and line stay", () => {
    const label = fitLabel(fn, file, 122, 55 * 6, measure);
    expect(label.startsWith(`${fn} at /`)).toBe(true);
    expect(label).toContain("\u2026");
    expect(label.endsWith("import_orders.py:122")).toBe(true);
    expect(measure(label)).toBeLessThanOrEqual(55 * 6);
  });

  test("then the file name only, then the function alone", () => {
    expect(fitLabel(fn, file, 122, 40 * 6, measure)).toBe(`${fn} at import_orders.py:122`);
    expect(fitLabel(fn, file, 122, 20 * 6, measure)).toBe(fn);
    // Never a label without the function's start, however narrow the frame.
    expect(fitLabel(fn, file, 122, 3 * 6, measure)).toBe(fn);
  });

  test("root and merged frames are named, not located", () => {
    const tree = sample();
    expect(frameLabel(tree, 0, 10, measure)).toBe("root");
    expect(frameLabel(tree, 5, 1000, measure)).toBe("work at /srv/app/work.py:5");
    tree.flags[6] = NodeFlag.OTHER;
    tree.otherFrames.set(6, 12);
    expect(frameLabel(tree, 6, 1000, measure)).toBe("12 smaller frames");
  });
});

describe("frame paths", () => {
  const tree = sample();

  test("a node's path finds it again", () => {
    for (let i = 1; i < tree.size; i++) expect(findFramePath(tree, framePath(tree, i), tree.thread[i])).toBe(i);
    expect(framePath(tree, 4).map((f) => f.function)).toEqual(["run_path", "main", "_find_and_load", "parse"]);
  });

  test("the same frame in two threads: the wider, unless a thread is asked for", () => {
    const path = [{ function: "work", filename: "/srv/app/work.py", lineno: 5 }];
    expect(findFramePath(tree, path)).toBe(6);
    expect(findFramePath(tree, path, "0x2")).toBe(6);
    expect(findFramePath(tree, path, "0x9")).toBe(-1);
  });

  test("a path survives renumbering: a frame inserted before it does not move the link", () => {
    const path = framePath(tree, 5);
    // The same tree with an extra node before `work` (as pruning or new data would shift indices).
    const shifted = sample();
    const renumbered = decodeTree({
      schemaVersion: SCHEMA_VERSION,
      strings: ["<root>", "", "merged", "extra", "x.py", "0x1", "run_path", "<frozen runpy>", "main", "/srv/app/main.py", "work", "/srv/app/work.py"],
      parent: [-1, 0, 0, 2, 3],
      function: [0, 3, 6, 8, 10],
      filename: [1, 4, 7, 9, 11],
      lineno: [0, 1, 280, 3, 5],
      thread: [2, 5, 5, 5, 5],
      valueBytes: [10, 1, 9, 9, 9],
      nAllocations: [1, 1, 1, 1, 1],
      flags: [I, I, 0, I, I],
      otherFrames: {},
      minFrameFraction: 0,
      totalNodes: 5,
    });
    expect(shifted.function[5]).toBe("work");
    expect(findFramePath(renumbered, path)).toBe(4);
    expect(findFramePath(renumbered, [{ function: "gone", filename: "x.py", lineno: 1 }])).toBe(-1);
  });
});
