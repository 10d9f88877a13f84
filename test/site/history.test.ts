import { describe, expect, it } from "vitest";
import type { CallSite, OkRunEntry } from "../../src/content/schema.ts";
import {
  baseRunFor,
  benchmarkFile,
  branchSeries,
  buildHistory,
  callSiteSeries,
  chooseDefaultBranch,
  compareToBase,
  formatChange,
  indexRows,
  NO_BRANCH,
  sparklinePoints,
  trendName,
} from "../../src/site/history.ts";
import { failedEntry, okEntry, type OkEntryFields } from "../helpers/entries.ts";

const MB = 1_000_000;
const DAY = 86_400_000;

type Opts = OkEntryFields & { day?: number };

function ok(id: string, peakMemoryBytes: number, o: Opts = {}): OkRunEntry {
  const { header, day = 0, ...rest } = o;
  return okEntry(id, {
    timeMs: Date.UTC(2026, 10, 1) + day * DAY,
    peakMemoryBytes,
    totalBytesAllocated: peakMemoryBytes * 2,
    nAllocations: 100,
    ...rest,
    header: { version: 12, pythonVersion: "3.12.1", commandLine: "python x.py", ...header },
  });
}

const site = (fn: string, sizeBytes: number): CallSite => ({ function: fn, filename: "app.py", lineno: fn.length, sizeBytes, nAllocations: 1 });

describe("default branch", () => {
  it("is configured, else main, else master, else the branch with most runs", () => {
    expect(chooseDefaultBranch(["dev", "main"], "trunk")).toBe("trunk");
    expect(chooseDefaultBranch(["dev", "dev", "main"])).toBe("main");
    expect(chooseDefaultBranch(["dev", "master"])).toBe("master");
    expect(chooseDefaultBranch(["b", "a", "a", "b", "c"])).toBe("a");
    expect(chooseDefaultBranch([])).toBeNull();
  });

  it("falls back per trend to the trend's own busiest branch", () => {
    const h = buildHistory([ok("a", MB), ok("b", MB, { benchmark: "other", branch: "dev" }), ok("c", MB, { benchmark: "other", branch: null })]);
    expect(h.defaultBranch).toBe("main");
    expect(h.trendByName.get("other")!.defaultBranch).toBe(NO_BRANCH);
  });
});

describe("trends", () => {
  it("--native and --aggregate runs trend apart", () => {
    expect(trendName(ok("n", MB, { header: { nativeTraces: true } }))).toBe("bench [native]");
    expect(trendName(ok("g", MB, { header: { aggregated: true } }))).toBe("bench [aggregated]");
    const h = buildHistory([ok("a", MB), ok("n", MB, { header: { nativeTraces: true } })]);
    expect(h.trends.map((t) => t.name)).toEqual(["bench", "bench [native]"]);
  });

  it("orders runs by time, links neighbours per branch, marks regressions with the one rule", () => {
    const h = buildHistory([
      ok("r3", 14.1 * MB, { day: 3 }), // +10.2 % and > 1 MiB: regression
      ok("r1", 10 * MB, { day: 1 }),
      ok("r2", 12.8 * MB, { day: 2 }), // +28 %
      failedEntry("f", { timeMs: Date.UTC(2026, 10, 1) + 2.5 * DAY }),
      ok("p1", 30 * MB, { day: 2.2, branch: "pr" }),
      ok("r4", 14.2 * MB, { day: 4 }), // tiny growth
    ]);
    const main = h.trendByName.get("bench")!.branches.get("main")!;
    expect(main.map((r) => r.entry.id)).toEqual(["r1", "r2", "f", "r3", "r4"]);
    expect(main.map((r) => r.regression)).toEqual([false, true, false, true, false]);
    const r3 = h.byId.get("r3")!;
    expect(r3.prev!.entry.id).toBe("f");
    expect(r3.prevOk!.entry.id).toBe("r2");
    expect(r3.change!.deltaBytes).toBe(1.3 * MB);
    expect(h.byId.get("r1")!.change).toBeNull();
    // The PR run is not compared with main's runs on the trend.
    expect(h.byId.get("p1")!.regression).toBe(false);
    expect([...h.trendByName.get("bench")!.branches.keys()]).toEqual(["main", "pr"]);
  });

  it("a run whose capture settings differ breaks the trend and is never a regression", () => {
    const h = buildHistory([ok("a", 10 * MB, { day: 1 }), ok("b", 20 * MB, { day: 2, header: { version: 13, pythonVersion: "3.13.0" } }), ok("c", 30 * MB, { day: 3, header: { version: 13, pythonVersion: "3.13.0" } })]);
    const b = h.byId.get("b")!;
    expect(b.settingsChanged).toEqual(["header version", "Python version"]);
    expect(b.regression).toBe(false);
    expect(h.byId.get("c")!.settingsChanged).toEqual([]);
    expect(h.byId.get("c")!.regression).toBe(true);
    const file = benchmarkFile(h.trends[0]!);
    expect(file.runs.map((r) => r.settingsChanged)).toEqual([undefined, ["header version", "Python version"], undefined]);
    const series = branchSeries(file, 0, "peakMemoryBytes");
    expect(series.map((p) => [p.broken, p.regression])).toEqual([[false, false], [true, false], [false, true]]);
  });

  it("groups runs by commit across benchmarks", () => {
    const sha = "a".repeat(40);
    const h = buildHistory([ok("x", MB, { commit: sha, benchmark: "zeta" }), ok("y", MB, { commit: sha, benchmark: "alpha" }), ok("z", MB)]);
    expect(h.byCommit.get(sha)!.map((r) => r.entry.id)).toEqual(["y", "x"]);
  });
});

describe("commit page bases", () => {
  it("previous run on the branch; a branch's first run against the default branch; a PR against its base branch", () => {
    const h = buildHistory([
      ok("m1", 10 * MB, { day: 1 }),
      ok("m2", 11 * MB, { day: 2 }),
      ok("f1", 20 * MB, { day: 3, branch: "feature" }),
      ok("f2", 21 * MB, { day: 4, branch: "feature" }),
      ok("rel", 5 * MB, { day: 0, branch: "release" }),
      ok("pr", 5.5 * MB, { day: 5, branch: "fix", meta: { baseBranch: "release" } }),
      ok("m3", 12 * MB, { day: 6 }),
    ]);
    const base = (id: string) => baseRunFor(h.byId.get(id)!)?.entry.id ?? null;
    expect(base("m2")).toBe("m1");
    expect(base("m1")).toBeNull();
    expect(base("f1")).toBe("m2");
    expect(base("f2")).toBe("f1");
    expect(base("pr")).toBe("rel");
    const c = compareToBase(h.byId.get("f1")!);
    expect(c.deltaBytes).toBe(9 * MB);
    expect(c.regression).toBe(true);
    expect(compareToBase(h.byId.get("m1")!).deltaBytes).toBeNull();
  });
});

describe("index rows", () => {
  it("latest figures on the default branch, flags, regressions first", () => {
    const h = buildHistory([
      ok("a1", 10 * MB, { benchmark: "alpha", day: 1 }),
      ok("a2", 10.5 * MB, { benchmark: "alpha", day: 2, complete: false }),
      ok("z1", 10 * MB, { benchmark: "zeta", day: 1 }),
      ok("z2", 20 * MB, { benchmark: "zeta", day: 2 }),
      ok("z3", 99 * MB, { benchmark: "zeta", day: 3, branch: "dev" }),
      ok("b1", 10 * MB, { benchmark: "beta", day: 1 }),
      failedEntry("b2", { benchmark: "beta", timeMs: Date.UTC(2026, 10, 5) }),
    ]);
    const rows = indexRows(h);
    expect(rows.map((r) => r.trend)).toEqual(["zeta", "alpha", "beta"]);
    expect(rows[0]).toMatchObject({ peakMemoryBytes: 20 * MB, deltaBytes: 10 * MB, deltaPct: 100, regression: true, spark: [10 * MB, 20 * MB], runCount: 3 });
    expect(rows[0]!.lastTimeMs).toBe(h.byId.get("z3")!.entry.timeMs);
    expect(rows[1]).toMatchObject({ incomplete: true, latestFailed: false });
    expect(rows[2]).toMatchObject({ latestFailed: true, peakMemoryBytes: 10 * MB });
  });

  it("changes read with sign, size and percent", () => {
    const f = (n: number) => `${n / MB} MB`;
    expect(formatChange(4.2 * MB, 40, f)).toBe("+4.2 MB (+40.0%)");
    expect(formatChange(-MB, -0.54, f)).toBe("-1 MB (-0.5%)");
    expect(formatChange(0, 0, f)).toBe("±0 MB");
    expect(formatChange(MB, null, f)).toBe("+1 MB");
  });

  it("sparklines fit the box", () => {
    expect(sparklinePoints([1, 3, 2], 100, 20)).toBe("2,18 50,2 98,10");
    expect(sparklinePoints([5], 100, 20)).toBe("50,10");
    expect(sparklinePoints([5, 5], 10, 20)).toBe("2,10 8,10");
    expect(sparklinePoints([], 10, 20)).toBe("");
  });
});

describe("benchmark data file", () => {
  it("is compact, and its series give per-metric changes", () => {
    const h = buildHistory([ok("a", 10 * MB, { day: 1, meta: { message: "first" } }), failedEntry("f", { timeMs: Date.UTC(2026, 10, 1) + 1.5 * DAY }), ok("b", 12 * MB, { day: 2, totalBytesAllocated: null, dataPruned: true }), ok("p", 9 * MB, { day: 3, branch: "pr" })]);
    const file = benchmarkFile(h.trends[0]!);
    expect(file.branches).toEqual(["main", "pr"]);
    expect(file.runs[0]).toEqual({ id: "a", branch: 0, commit: "a".padEnd(40, "0"), timeMs: Date.UTC(2026, 10, 2), message: "first", peakMemoryBytes: 10 * MB, leakedBytes: 0, totalBytesAllocated: 20 * MB, nAllocations: 100 });
    expect(file.runs[1]).toMatchObject({ id: "f", failed: true });
    expect(file.runs[1]!.peakMemoryBytes).toBeUndefined();
    expect(file.runs[2]).toMatchObject({ pruned: true });
    const peak = branchSeries(file, 0, "peakMemoryBytes");
    expect(peak.map((p) => [p.run, p.deltaBytes, p.regression])).toEqual([[0, null, false], [2, 2 * MB, true]]);
    expect(branchSeries(file, 0, "totalBytesAllocated").map((p) => p.run)).toEqual([0]);
    // Counts change but never "regress": the rule is about bytes.
    const counts = branchSeries({ ...file, runs: file.runs.map((r) => (r.id === "b" ? { ...r, nAllocations: 10_000_000 } : r)) }, 0, "nAllocations");
    expect(counts[1]!.regression).toBe(false);
    expect(branchSeries(file, 1, "peakMemoryBytes").map((p) => p.run)).toEqual([3]);
  });

  it("call-site trend: top sites stacked, the rest of the peak as other", () => {
    const h = buildHistory([
      ok("a", 10 * MB, { day: 1, topCallSites: [site("load", 6 * MB), site("parse", 3 * MB), site("tiny", 1000)] }),
      ok("b", 15 * MB, { day: 2, topCallSites: [site("cache", 8 * MB), site("load", 6 * MB)] }),
      ok("c", 9 * MB, { day: 3 }),
    ]);
    const file = benchmarkFile(h.trends[0]!);
    expect(file.callSites.map((c) => c.function)).toEqual(["load", "parse", "tiny", "cache"]);
    const cs = callSiteSeries(file, 0, 2);
    expect(cs.runs).toEqual([0, 1, 2]);
    expect(cs.series.map((s) => s.label)).toEqual(["cache (app.py:5)", "load (app.py:4)", "other"]);
    expect(cs.series.map((s) => s.values)).toEqual([
      [0, 8 * MB, 0],
      [6 * MB, 6 * MB, 0],
      [4 * MB, 1 * MB, 9 * MB],
    ]);
  });
});
