// memray's launcher (`memray run`'s `_run_tracker`) and pytest-memray's plugin frames are written
// as irrelevant in the data files, so the page's "Hide irrelevant frames" hides them; their
// bytes stay in the tree and the user's frames stay interesting.
import { describe, expect, test } from "vitest";
import type { FlameNode } from "../../src/analysis/model.ts";
import { decodeTree, encodeTree, isLauncherFrame } from "../../src/content/columnar.ts";
import { NodeFlag } from "../../src/content/shapes.ts";

const node = (fn: string, filename: string, children: FlameNode[] = []): FlameNode => ({
  function: fn, filename, lineno: 1, thread: "0x1", valueBytes: 10, nAllocations: 1, interesting: true, importSystem: false, children,
});

describe("launcher frames", () => {
  test("memray's and pytest-memray's own files, not the user's", () => {
    expect(isLauncherFrame("/home/dev/.venvs/memray-1.20/lib/python3.11/site-packages/memray/commands/run.py")).toBe(true);
    expect(isLauncherFrame("/usr/lib/python3/dist-packages/memray/__main__.py")).toBe(true);
    expect(isLauncherFrame("/usr/local/bin/memray")).toBe(true);
    expect(isLauncherFrame("C:\\py\\Lib\\site-packages\\pytest_memray\\plugin.py")).toBe(true);
    expect(isLauncherFrame("/home/dev/memray/app.py")).toBe(false);
    expect(isLauncherFrame("import_orders.py")).toBe(false);
    expect(isLauncherFrame("/srv/memray_commands/run.py")).toBe(false);
  });

  test("written as not interesting, bytes kept, user frames untouched", () => {
    const root = node("<tracker>", "<b>memray</b>", [
      node("_run_tracker", "/venv/lib/python3.11/site-packages/memray/commands/run.py", [node("main", "app.py", [node("wrapper", "/venv/site-packages/pytest_memray/plugin.py", [node("test_x", "test_app.py")])])]),
    ]);
    const tree = decodeTree(encodeTree(root, { minFrameFraction: 0 }));
    const flag = (fn: string) => tree.flags[tree.function.indexOf(fn)]! & NodeFlag.INTERESTING;
    expect(flag("_run_tracker")).toBe(0);
    expect(flag("wrapper")).toBe(0);
    expect(flag("main")).toBe(NodeFlag.INTERESTING);
    expect(flag("test_x")).toBe(NodeFlag.INTERESTING);
    expect(tree.valueBytes[tree.function.indexOf("_run_tracker")]).toBe(10);
  });
});
