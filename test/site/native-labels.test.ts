/** Unresolved native frames read as image+offset, and chains of them collapse on request. */
import { describe, expect, test } from "vitest";
import type { TreeData } from "../../src/content/columnar.ts";
import { NodeFlag } from "../../src/content/shapes.ts";
import { decodedTree } from "../helpers/entries.ts";
import { breakLocation, buildFlameData, frameFunction, frameLabel, frameName, matches, shortNative, type FlameDatum } from "../../src/site/flame.ts";

const I = NodeFlag.INTERESTING;
/** root → main (Python) → PyObject_Vectorcall (symbol, no file) → <unknown> ×3 → malloc in libc. */
function nativeTree(): TreeData {
  const nodes: Array<[number, string, string, number, string | null]> = [
    [-1, "<root>", "", 0, null],
    [0, "main", "app.py", 3, null],
    [1, "PyObject_Vectorcall", "<unknown>", 0, "/usr/bin/python3.11+0x53acbc"],
    [2, "<unknown>", "<unknown>", 0, "/usr/bin/python3.11+0x5f07af"],
    [3, "<unknown>", "<unknown>", 0, "/usr/bin/python3.11+0x5f07b0"],
    [4, "<unknown>", "<unknown>", 0, "/usr/bin/python3.11+0x5f07c1"],
    [5, "malloc", "malloc.c", 3287, "/usr/lib/x86_64-linux-gnu/libc.so.6+0x9a0c0"],
    [1, "<unknown>", "<unknown>", 0, null],
  ];
  return decodedTree(
    nodes.map(([parent, fn, file, line, native], i) => ({ parent, fn, file, line, bytes: i === 7 ? 5 : 100, flags: I, ...(native ? { native } : {}) })),
  );
}

function shape(tree: TreeData, d: FlameDatum, depth = 0, out: string[] = []): string[] {
  out.push(`${"  ".repeat(depth)}${frameLabel(tree, d.idx, 1e6, (t) => t.length, d.collapsed)}`);
  for (const c of d.children) shape(tree, c, depth + 1, out);
  return out;
}

describe("native frame labels", () => {
  const tree = nativeTree();
  test("image and offset instead of <unknown> at <unknown>", () => {
    expect(shortNative("/usr/bin/python3.11+0x5f07af")).toBe("python3.11+0x5f07af");
    expect(frameName(tree, 3)).toBe("python3.11+0x5f07af");
    expect(frameName(tree, 2)).toBe("PyObject_Vectorcall in python3.11");
    expect(frameName(tree, 6)).toBe("malloc at malloc.c:3287");
    expect(frameFunction(tree, 3)).toBe("python3.11+0x5f07af");
    // No module known: memray's own words stay.
    expect(frameName(tree, 7)).toBe("<unknown> at <unknown>");
    expect(matches(tree, 3, "0x5f07af")).toBe(true);
  });

  test("collapsing folds a chain of unresolved frames into its outermost, bytes unchanged", () => {
    const base = { hideUninteresting: true, hideImports: false, thread: "" };
    expect(shape(tree, buildFlameData(tree, base))).toEqual([
      "root",
      "  main at app.py:3",
      "    PyObject_Vectorcall in python3.11",
      "      python3.11+0x5f07af",
      "        python3.11+0x5f07b0",
      "          python3.11+0x5f07c1",
      "            malloc at malloc.c:3287",
      "    <unknown> at <unknown>",
    ]);
    const collapsed = buildFlameData(tree, { ...base, collapseUnresolved: true });
    expect(shape(tree, collapsed)).toEqual([
      "root",
      "  main at app.py:3",
      "    PyObject_Vectorcall in python3.11",
      "      python3.11+0x5f07af (+2 unresolved)",
      "        malloc at malloc.c:3287",
      "    <unknown> at <unknown>",
    ]);
    expect(collapsed.children[0]!.children[0]!.children[0]!.value).toBe(100);
  });
});

describe("breakLocation", () => {
  test("breaks after path separators and before the line number only", () => {
    expect(breakLocation("iterencode at /usr/lib/python3.11/json/encoder.py:258")).toEqual(["iterencode at /", "usr/", "lib/", "python3.11/", "json/", "encoder.py", ":258"]);
    expect(breakLocation("C:\\app\\x.py:3")).toEqual(["C:\\", "app\\", "x.py", ":3"]);
    expect(breakLocation("numpy")).toEqual(["numpy"]);
  });
});
