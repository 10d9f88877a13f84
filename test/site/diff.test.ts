/** The differential flame graph's data: widths by side, new/vanished labels, colours by change. */
import { describe, expect, test } from "vitest";
import { flameColumns } from "../../src/analysis/flame.ts";
import type { FlameNode } from "../../src/analysis/model.ts";
import { decodeTree, encodeTree } from "../../src/content/columnar.ts";
import { diffTrees, treeDataSource } from "../../src/content/diff.ts";
import { buildDiffData, diffColour, findDiffFramePath, GREW_HUE, maxAbsDelta, SHRANK_HUE, type DiffDatum } from "../../src/site/diff.ts";
import { framePath } from "../../src/site/flame.ts";
import { flameNode } from "../helpers/entries.ts";

const node = (fn: string, valueBytes: number, children: FlameNode[] = []): FlameNode => flameNode(fn, { valueBytes }, children);
const base = node("<root>", 300, [node("main", 300, [node("grows", 100), node("shrinks", 150), node("gone", 50)])]);
const head = node("<root>", 500, [node("main", 500, [node("grows", 400), node("shrinks", 50), node("fresh", 50)])]);
const source = (root: FlameNode) => treeDataSource(decodeTree(encodeTree(flameColumns(root), { minFrameFraction: 0 })));
const diff = diffTrees(source(base), source(head));
const filter = { hideUninteresting: false, hideImports: false };

function flat(d: DiffDatum): Array<[string, number]> {
  return [[d.name.replace(/\u200E/g, ""), d.value], ...d.children.flatMap(flat)];
}

describe("buildDiffData", () => {
  test("head width: new stacks drawn and marked, vanished ones not drawn", () => {
    expect(flat(buildDiffData(diff, "head", filter))).toEqual([
      ["root", 500],
      ["main at app.py:1", 500],
      ["grows at app.py:1", 400],
      ["shrinks at app.py:1", 50],
      ["[new] fresh at app.py:1", 50],
    ]);
  });
  test("base width: vanished stacks drawn and marked", () => {
    expect(flat(buildDiffData(diff, "base", filter))).toContainEqual(["[gone] gone at app.py:1", 50]);
    expect(flat(buildDiffData(diff, "base", filter))[0]).toEqual(["root", 300]);
  });
});

describe("diffColour", () => {
  const scale = maxAbsDelta(diff);
  const at = (name: string) => diff.function.indexOf(name);
  test("grew red, shrank blue, unchanged grey; the bigger change is stronger", () => {
    expect(diffColour(diff, at("grows"), scale)).toMatch(new RegExp(`^hsl\\(${GREW_HUE},`));
    expect(diffColour(diff, at("shrinks"), scale)).toMatch(new RegExp(`^hsl\\(${SHRANK_HUE},`));
    const same = diffTrees(source(base), source(base));
    expect(diffColour(same, 1, maxAbsDelta(same))).toMatch(/^hsl\(220, 8%/);
    const sat = (c: string) => Number(c.split(",")[1]!.replace("%", ""));
    expect(sat(diffColour(diff, at("grows"), scale))).toBeGreaterThan(sat(diffColour(diff, at("fresh"), scale)));
  });
});

describe("zoom paths on a diff tree", () => {
  test("every node's frame path finds that node again, vanished and new ones included", () => {
    for (let i = 1; i < diff.size; i++) expect(findDiffFramePath(diff, framePath(diff, i))).toBe(i);
    expect(framePath(diff, diff.function.indexOf("gone")).map((f) => f.function)).toEqual(["main", "gone"]);
    expect(findDiffFramePath(diff, [{ function: "nowhere", filename: "app.py", lineno: 1 }])).toBe(-1);
    expect(findDiffFramePath(diff, [])).toBe(-1);
  });
});
