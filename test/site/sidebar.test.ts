import { describe, expect, it } from "vitest";
import { urls } from "../../src/content/urls.ts";
import { sidebarItems } from "../../src/site/sidebar.ts";

describe("the sidebar", () => {
  it("lists every benchmark up to its bound", () => {
    const items = sidebarItems(["a", "b", "c"], new Map(), "b", 3);
    expect(items.map((i) => [i.label, i.href, i.current])).toEqual([
      ["a", urls.benchmark("a"), false],
      ["b", urls.benchmark("b"), true],
      ["c", urls.benchmark("c"), false],
    ]);
  });

  it("past it, tests give way to their groups (the current test's group marked), other benchmarks stay", () => {
    const tests = Array.from({ length: 1000 }, (_, i) => `tests/test_${i % 50}.py::test_${i}`);
    const groupOf = new Map(tests.map((t) => [t, t.slice(0, t.indexOf("::"))]));
    const items = sidebarItems(["import_orders", ...tests], groupOf, "tests/test_7.py::test_57", 40);
    expect(items).toHaveLength(40);
    expect(items.some((i) => i.label.includes("::"))).toBe(false);
    expect(items.filter((i) => i.current)).toEqual([{ label: "tests/test_7.py", href: urls.group("tests/test_7.py"), current: true }]);
    expect(sidebarItems(["import_orders", ...tests], groupOf, undefined, 60).map((i) => i.label).slice(0, 2)).toEqual(["import_orders", "tests/test_0.py"]);
  });

  it("past it without groups, the current benchmark's neighbours", () => {
    const names = Array.from({ length: 100 }, (_, i) => `b${String(i).padStart(3, "0")}`);
    const items = sidebarItems(names, new Map(), "b050", 40);
    expect(items).toHaveLength(40);
    expect(items[0]!.label).toBe("b030");
    expect(items.find((i) => i.current)!.label).toBe("b050");
  });
});
