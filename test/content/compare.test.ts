/** Which comparisons the site builds, and one benchmark's comparison: rule, settings, pruned runs. */
import { describe, expect, test } from "vitest";
import { compareBenchmark, worstFirst } from "../../src/content/compare.ts";
import { buildHistory } from "../../src/content/history.ts";
import type { CallSite, OkRunEntry } from "../../src/content/schema.ts";
import { okEntry } from "../helpers/entries.ts";

const MB = 1_000_000;
function run(id: string, o: { benchmark?: string; branch?: string; day: number; peak?: number; leaked?: number; pr?: number; baseBranch?: string; native?: boolean; pruned?: boolean; sites?: CallSite[] }): OkRunEntry {
  return okEntry(id, {
    meta: { pr: o.pr, baseBranch: o.baseBranch },
    benchmark: o.benchmark ?? "bench",
    branch: o.branch ?? "main",
    timeMs: Date.UTC(2026, 10, o.day),
    header: { nativeTraces: o.native ?? false },
    peakMemoryBytes: o.peak ?? 50 * MB,
    leakedBytes: o.leaked ?? 0,
    topCallSites: o.sites ?? [],
    dataPruned: o.pruned ?? false,
  });
}

describe("compare pages (the history model's pairs)", () => {
  const runs = [
    run("m1", { day: 1 }),
    run("m2", { day: 2 }),
    run("m3", { day: 4 }),
    run("n2", { day: 2, native: true }),
    run("n3", { day: 4, native: true }),
    run("o1", { day: 1, benchmark: "other" }),
    run("p1", { day: 3, branch: "feature", pr: 7 }),
    run("p2", { day: 5, branch: "feature", pr: 7 }),
    run("q1", { day: 3, branch: "release-fix", baseBranch: "release" }),
    run("r1", { day: 2, branch: "release" }),
  ];
  const pairs = buildHistory(runs).pairs.map((p) => `${p.base.id}>${p.head.id}:${p.kind}`).sort();

  test("every run against the previous run of its series on its branch; native runs among themselves", () => {
    expect(pairs).toEqual(expect.arrayContaining(["m1>m2:previous", "m2>m3:previous", "n2>n3:previous"]));
    expect(pairs.some((p) => p.startsWith("m2>n3") || p.startsWith("n2>m3"))).toBe(false);
  });

  test("pull-request runs (every one) against their base branch's newest run at or before them; a branch's first run against the default branch", () => {
    expect(pairs).toEqual(expect.arrayContaining(["m2>p1:pr", "m3>p2:pr", "r1>q1:pr", "m2>r1:branch-start"]));
    expect(pairs).toHaveLength(7);
  });

  test("no page for a pair whose flame data retention dropped", () => {
    const kept = buildHistory([run("a", { day: 1, pruned: true }), run("b", { day: 2 }), run("c", { day: 3 })]).pairs;
    expect(kept.map((p) => `${p.base.id}>${p.head.id}`)).toEqual(["b>c"]);
  });
});

describe("compareBenchmark", () => {
  test("a regression by the one rule (percent and bytes), on peak or leaked bytes", () => {
    const c = compareBenchmark({ base: run("a", { day: 1, peak: 62 * MB }), head: run("b", { day: 2, peak: 87 * MB }) });
    expect(c.regression).toBe(true);
    expect(c.peak.deltaPct).toBeCloseTo(40.3, 1);
    expect(compareBenchmark({ base: run("a", { day: 1, peak: 62 * MB }), head: run("b", { day: 2, peak: 87 * MB }), rule: { failAbovePct: 50 } }).regression).toBe(false);
    // +100% but under 1 MiB: tiny benchmarks do not flap.
    expect(compareBenchmark({ base: run("a", { day: 1, peak: 500_000 }), head: run("b", { day: 2, peak: 1_000_000 }) }).regression).toBe(false);
    expect(compareBenchmark({ base: run("a", { day: 1, leaked: 5 * MB }), head: run("b", { day: 2, leaked: 50 * MB }) }).regression).toBe(true);
  });

  test("different capture settings: stated, never a regression", () => {
    const c = compareBenchmark({ base: run("a", { day: 1, peak: 10 * MB }), head: run("b", { day: 2, peak: 90 * MB, native: true }) });
    expect(c.settingsDifferences).toEqual(["native traces: off → on"]);
    expect(c.regression).toBe(false);
    expect(c.notes.join()).toContain("different settings");
  });

  test("no base: a plain note, sorted after the compared rows", () => {
    const none = compareBenchmark({ base: null, head: run("b", { day: 2 }) });
    expect(none.notes[0]).toMatch(/^No comparable base run of bench/);
    const worse = compareBenchmark({ base: run("a", { day: 1, peak: 10 * MB }), head: run("c", { day: 2, peak: 30 * MB }) });
    const better = compareBenchmark({ base: run("a", { day: 1, peak: 10 * MB }), head: run("d", { day: 2, peak: 9 * MB }) });
    expect([none, better, worse].sort(worstFirst).map((c) => c.head.id)).toEqual(["c", "d", "b"]);
  });

  test("pruned runs: the summary and the kept top call sites, said so", () => {
    const site = (fn: string, sizeBytes: number): CallSite => ({ function: fn, filename: "a.py", lineno: 1, sizeBytes, nAllocations: 1 });
    const c = compareBenchmark({
      base: run("a", { day: 1, pruned: true, sites: [site("load", 10 * MB), site("parse", 5 * MB)] }),
      head: run("b", { day: 2, sites: [site("load", 30 * MB), site("parse", 5 * MB), site("cache", 2 * MB)] }),
    });
    expect(c.callSitesFrom).toBe("topCallSites");
    expect(c.callSites.map((s) => [s.function, s.deltaBytes])).toEqual([
      ["load", 20 * MB],
      ["cache", 2 * MB],
    ]);
    expect(c.notes.join()).toContain("full flame data of a was pruned");
  });
});
