/** The function table: own and total per function, recursion counted once, inverted trees, side by side. */
import { describe, expect, test } from "vitest";
import type { TreeData } from "../../src/content/columnar.ts";
import { NodeFlag } from "../../src/content/shapes.ts";
import { decodedTree } from "../helpers/entries.ts";
import { functionChanges, functionTable } from "../../src/site/functions.ts";

const I = NodeFlag.INTERESTING;
/** Rows of [parent, function, file, bytes, allocations, flags]; each node on its own line. */
function tree(nodes: Array<[number, string, string, number, number, number]>): TreeData {
  return decodedTree(nodes.map(([parent, fn, file, bytes, count, flags], i) => ({ parent, fn, file, line: i, bytes, count, flags })));
}

// root → run_path (irrelevant) → main → f → f → g ; main → g ; main → f (another line) ; main → <other>
const T = tree([
  [-1, "<root>", "", 100, 10, I],
  [0, "run_path", "<frozen runpy>", 100, 10, 0],
  [1, "main", "app.py", 100, 10, I],
  [2, "f", "app.py", 50, 5, I],
  [3, "f", "app.py", 30, 3, I],
  [4, "g", "lib.py", 20, 2, I],
  [2, "g", "lib.py", 25, 2, I],
  [2, "f", "app.py", 15, 1, I],
  [2, "<other>", "", 4, 1, I | NodeFlag.OTHER],
]);
const SHOWN = { hideUninteresting: true, hideImports: false, thread: "" };

const byName = (rows: ReturnType<typeof functionTable>) => Object.fromEntries(rows.map((r) => [r.name, [r.ownBytes, r.totalBytes, r.ownCount, r.totalCount]]));

describe("functionTable", () => {
  test("own is a frame's bytes minus its children's; total counts a recursive function once per stack", () => {
    expect(byName(functionTable(T, SHOWN))).toEqual({
      main: [100 - 50 - 25 - 15 - 4, 100, 10 - 5 - 2 - 1 - 1, 10],
      // f's outer frames (50 + 15), not its nested one; own 50−30 + 30−20 + 15.
      f: [20 + 10 + 15, 65, 2 + 1 + 1, 6],
      g: [45, 45, 4, 4],
    });
  });

  test("hidden frames are left out, shown when the filter shows them", () => {
    expect(Object.keys(byName(functionTable(T, SHOWN)))).not.toContain("run_path");
    expect(byName(functionTable(T, { ...SHOWN, hideUninteresting: false })).run_path).toEqual([0, 100, 0, 10]);
  });

  test("inverted: own is the allocating level", () => {
    // root → g (allocates 45) → f → main ; g → main
    const inv = tree([
      [-1, "<root>", "", 45, 4, I],
      [0, "g", "lib.py", 45, 4, I],
      [1, "f", "app.py", 20, 2, I],
      [2, "main", "app.py", 20, 2, I],
      [1, "main", "app.py", 25, 2, I],
    ]);
    expect(byName(functionTable(inv, SHOWN, { inverted: true }))).toEqual({ g: [45, 45, 4, 4], f: [0, 20, 0, 2], main: [0, 45, 0, 4] });
  });

  test("base and head side by side, one-sided functions kept", () => {
    const head = tree([
      [-1, "<root>", "", 10, 1, I],
      [0, "h", "new.py", 10, 1, I],
    ]);
    const changes = functionChanges(functionTable(T, SHOWN), functionTable(head, SHOWN));
    expect(changes.map((c) => [c.name, c.base?.totalBytes ?? null, c.head?.totalBytes ?? null])).toEqual([
      ["main", 100, null],
      ["f", 65, null],
      ["g", 45, null],
      ["h", null, 10],
    ]);
  });
});
