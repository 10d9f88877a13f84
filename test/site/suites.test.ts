import { describe, expect, it } from "vitest";
import { dayEntry } from "../helpers/entries.ts";
import { buildHistory, indexRows } from "../../src/content/history.ts";
import { grewMost, groupTests, parametrizedFamilies, peakHistogram, peakOutliers, suiteGroups, suiteTests, suiteTotals, testView } from "../../src/site/suites.ts";


const ok = dayEntry;

const MB = 1_000_000;
const entries = [
  ok("tests/test_a.py::test_x[1]", 1 * MB, 0),
  ok("tests/test_a.py::test_x[1]", 1 * MB, 1),
  ok("tests/test_a.py::test_x[2]", 2 * MB, 0),
  ok("tests/test_a.py::test_x[2]", 9 * MB, 1, { budget: 5 * MB }),
  ok("tests/test_a.py::test_y", 3 * MB, 1, { budget: 5 * MB }),
  ok("tests/unit/test_b.py::TestB::test_z", 4 * MB, 1),
  ok("tests/unit/test_b.py::test_w", 1 * MB, 1, { group: "slow" }),
  ok("import_orders", 80 * MB, 1),
];
const tests = suiteTests(indexRows(buildHistory(entries)));

describe("the suite's groups", () => {
  it("test ids group by file, --meta group by its name; other benchmarks stay out", () => {
    expect(tests.map((t) => t.name).sort()).not.toContain("import_orders");
    const groups = suiteGroups(tests);
    expect(groups.map((g) => [g.name, g.count, g.sumPeakBytes, g.maxPeakBytes, g.regressions, g.overBudget])).toEqual([
      ["tests/test_a.py", 3, 13 * MB, 9 * MB, 1, 1],
      ["slow", 1, 1 * MB, 1 * MB, 0, 0],
      ["tests/unit/test_b.py", 1, 4 * MB, 4 * MB, 0, 0],
    ]);
    expect(groups[0]!.suite).toBe("tests");
  });

  it("a group's tests: parametrized together, in parameter order; budgets and overruns carried", () => {
    const rows = groupTests(tests, "tests/test_a.py").map(testView);
    expect(rows.map((r) => [r.test, r.params])).toEqual([
      ["tests/test_a.py::test_x", "[1]"],
      ["tests/test_a.py::test_x", "[2]"],
      ["tests/test_a.py::test_y", null],
    ]);
    expect(rows[1]).toMatchObject({ overBudget: true, budget: "5.00 MB", regression: true, change: "+7.00 MB (+350.0%)", dir: "up" });
    expect(rows[2]).toMatchObject({ overBudget: false, budget: "5.00 MB", change: null });
    expect(rows[0]!.href).toMatch(/^benchmarks\/tests_test_a\.py_test_x_1_-[0-9a-f]{8}\/$/);
  });
});

describe("the suite overview", () => {
  it("a histogram in powers of two that counts every test with a peak", () => {
    const bins = peakHistogram(tests);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(tests.length);
    expect(bins[0]!.minBytes).toBe(2 ** 19);
    expect(bins.at(-1)!.maxBytes).toBe(2 ** 24);
    for (const b of bins) expect(b.maxBytes).toBe(2 * b.minBytes);
  });

  it("outliers are far above the rest on a log scale", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...tests[0]!, name: `t${i}`, peakBytes: MB + i * 1000 }));
    many.push({ ...tests[0]!, name: "huge", peakBytes: 500 * MB });
    expect(peakOutliers(many).map((t) => t.name)).toEqual(["huge"]);
    expect(peakOutliers(many.slice(0, 40))).toEqual([]);
  });

  it("grew most, parametrized families, totals over commits", () => {
    expect(grewMost(tests).map((t) => t.name)).toEqual(["tests/test_a.py::test_x[2]"]);
    const families = parametrizedFamilies(tests);
    expect(families).toHaveLength(1);
    expect(families[0]).toMatchObject({ test: "tests/test_a.py::test_x", count: 2, minPeakBytes: 1 * MB, maxPeakBytes: 9 * MB });
    const totals = suiteTotals(buildHistory(entries), tests);
    expect(totals.map((t) => [t.tests, t.sumPeakBytes])).toEqual([
      [2, 3 * MB],
      [5, 18 * MB],
    ]);
  });
});
