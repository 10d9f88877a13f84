import { describe, expect, it } from "vitest";
import type { OkRunEntry } from "../../src/content/schema.ts";
import { dayEntry } from "../helpers/entries.ts";
import { buildHistory, comparePairOf } from "../../src/content/history.ts";
import { urls } from "../../src/content/urls.ts";
import { COMMIT_FIRST_SCREEN_ROWS, commitRowOrder, commitRowView, commitSummary } from "../../src/site/commit-rows.ts";


const ok = dayEntry;

const MB = 1_000_000;
const linkOf = (run: Parameters<typeof comparePairOf>[0]) => {
  const pair = comparePairOf(run);
  return pair ? { path: urls.compare(pair.base.id, pair.head.id) } : null;
};

describe("the commit page's rows", () => {
  it("a commit with few runs keeps the model's order (by name), every row", () => {
    const h = buildHistory([ok("b", 1 * MB, 0), ok("a", 1 * MB, 0), ok("b", 3 * MB, 1), ok("a", 1 * MB, 1)]);
    const runs = h.byCommit.get(String(1).padStart(40, "c"))!;
    expect(commitRowOrder(runs).map((r) => r.series.name)).toEqual(["a", "b"]);
    const b = commitRowView(runs[1]!, linkOf);
    expect(b.regression).toBe(true);
    expect(b.flags.map((f) => f.text)).toEqual(["regression"]);
    expect(b.compareHref).toBe(urls.compare(runs[1]!.base!.entry.id, runs[1]!.entry.id));
    expect(b.dir).toBe("up");
  });

  it("past the first screen: over budget, regressions, drift, then the biggest changes", () => {
    const n = COMMIT_FIRST_SCREEN_ROWS * 3;
    const name = (i: number) => `tests/test_${String(i).padStart(4, "0")}.py::test_it`;
    const entries: OkRunEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push(ok(name(i), 10 * MB, 0));
      // test 7 regresses, test 5 goes over its budget (unchanged peak), test 9 shrinks a lot, test 3 a little.
      const peak = i === 7 ? 20 * MB : i === 9 ? 2 * MB : i === 3 ? 9.9 * MB : 10 * MB;
      entries.push(ok(name(i), peak, 1, i === 5 ? { budget: 5 * MB } : {}));
    }
    const runs = buildHistory(entries).byCommit.get(String(1).padStart(40, "c"))!;
    expect(commitSummary(runs)).toEqual({ runs: n, regressions: 1, drifts: 0, overBudget: 1 });
    const order = commitRowOrder(runs).map((r) => r.series.name);
    expect(order).toHaveLength(n);
    expect(order.slice(0, 4)).toEqual([name(5), name(7), name(9), name(3)]);
    expect(new Set(order).size).toBe(n);
    const over = commitRowView(runs.find((r) => r.series.name === name(5))!, linkOf);
    expect(over.flags).toEqual([{ text: "over budget (5.00 MB)", cls: "flag bad over-budget", title: null }]);
  });
});
