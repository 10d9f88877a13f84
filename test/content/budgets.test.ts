import { describe, expect, test } from "vitest";
import { budgetFor, budgetMatcher, isOverBudget, overBudgetRuns, parseBudget, parseBudgetFile, parseSize } from "../../src/content/budgets.ts";
import { parseMetaFlag, runIdFor } from "../../src/content/provenance.ts";
import type { RunEntry } from "../../src/content/schema.ts";

describe("sizes", () => {
  test.each([
    ["4096", 4096],
    ["0", 0],
    ["12B", 12],
    ["200MB", 200e6],
    ["200 mb", 200e6],
    ["1.5GB", 1.5e9],
    ["64KB", 64e3],
    ["64KiB", 65536],
    ["50MiB", 50 * 1048576],
    ["1.5 GiB", 1.5 * 1024 ** 3],
    [".5KiB", 512],
  ])("%s is %d bytes", (text, bytes) => expect(parseSize(text)).toBe(bytes));

  test.each(["", "MB", "-1MB", "10 TB", "ten", "1,000"])("%j is refused, saying what was expected", (text) => {
    expect(() => parseSize(text)).toThrow(/expected a size such as 50MB or 1\.5GiB/);
  });
});

describe("patterns", () => {
  const budgets = [parseBudget("tests/test_big.py::*=200MB"), parseBudget("tests/*[a=1]=1MB"), parseBudget("*=50MB")];

  test("the first matching pattern wins", () => {
    expect(budgetFor("tests/test_big.py::test_load", budgets)).toBe(200e6);
    expect(budgetFor("tests/test_big.py::TestX::test_y[a=1]", budgets)).toBe(200e6);
    expect(budgetFor("tests/test_small.py::test_y[a=1]", budgets)).toBe(1e6);
    expect(budgetFor("tests/test_small.py::test_y[a=2]", budgets)).toBe(50e6);
    expect(budgetFor("import_orders", budgets)).toBe(50e6);
    expect(budgetFor("tests/test_x.py::t", [parseBudget("tests/test_x.py::?=1KB")])).toBe(1000);
    expect(budgetFor("tests/test_x.py::tt", [parseBudget("tests/test_x.py::?=1KB")])).toBeNull();
  });

  test("brackets, dots and other regex characters are themselves", () => {
    expect(budgetFor("tests/test_x.py::test_y[a]", [parseBudget("tests/test_x.py::test_y[a]=1KB")])).toBe(1000);
    expect(budgetFor("tests/test_x.py::test_y[b]", [parseBudget("tests/test_x.py::test_y[a]=1KB")])).toBeNull();
    expect(budgetFor("testsXtest_xYpy::t", [parseBudget("tests/test_x.py::t=1KB")])).toBeNull();
    expect(budgetMatcher(budgets)("tests/test_big.py::a")).toBe(200e6);
  });

  test("a budget file: one a line, comments and blank lines ignored, errors name the line", () => {
    expect(parseBudgetFile("# budgets\n\ntests/test_big.py::* = 200MB\n*=50MiB\n", "budgets.txt")).toEqual([
      { pattern: "tests/test_big.py::*", sizeBytes: 200e6 },
      { pattern: "*", sizeBytes: 50 * 1048576 },
    ]);
    expect(() => parseBudgetFile("*=1MB\nno size here\n", "budgets.txt")).toThrow(/^budgets\.txt:2: expected PATTERN=SIZE, got "no size here"$/);
    expect(() => parseBudgetFile("*=lots\n", "b")).toThrow(/^b:1: expected a size/);
  });
});

describe("a run's budget", () => {
  test("kept in meta, in bytes; over means above it", () => {
    expect(parseMetaFlag("budget=2MiB")).toEqual({ budget: 2097152 });
    expect(() => parseMetaFlag("budget=big")).toThrow(/^--meta budget: expected a size/);
    expect(isOverBudget({ peakMemoryBytes: 101, meta: { budget: 100 } })).toBe(true);
    expect(isOverBudget({ peakMemoryBytes: 100, meta: { budget: 100 } })).toBe(false);
    expect(isOverBudget({ peakMemoryBytes: 1e12, meta: {} })).toBe(false);
  });

  test("a changed budget is the same run (the id ignores it)", () => {
    const meta = { benchmark: "tests/test_x.py::test_y", commit: "a".repeat(40) };
    expect(runIdFor("f".repeat(64), { ...meta, budget: 1 })).toBe(runIdFor("f".repeat(64), meta));
  });

  test("the runs over budget, most over first", () => {
    const run = (id: string, peak: number, budget?: number) => ({ status: "ok", id, benchmark: id, peakMemoryBytes: peak, meta: budget === undefined ? {} : { budget } }) as unknown as RunEntry;
    const failed = { status: "failed", id: "f", benchmark: "f", meta: { budget: 0 } } as unknown as RunEntry;
    expect(overBudgetRuns([run("a", 150, 100), run("b", 100, 100), run("c", 500, 100), run("d", 1e9), failed]).map((o) => o.benchmark)).toEqual(["c", "a"]);
  });
});
