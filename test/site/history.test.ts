import { describe, expect, it } from "vitest";
import type { CallSite, OkRunEntry } from "../../src/content/schema.ts";
import { benchmarkFile } from "../../src/content/benchmark-file.ts";
import { buildHistory, indexRows } from "../../src/content/history.ts";
import { runLabel as formatRunLabel } from "../../src/shared/format.ts";
import { branchSeries, callSiteSeries, formatChange, regressionNote, runLabel, sparklinePoints } from "../../src/site/history.ts";
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

describe("the benchmark page's series", () => {
  it("a run whose capture settings differ breaks the line and is never a regression", () => {
    const h = buildHistory([ok("a", 10 * MB, { day: 1 }), ok("b", 20 * MB, { day: 2, header: { version: 13, pythonVersion: "3.13.0" } }), ok("c", 30 * MB, { day: 3, header: { version: 13, pythonVersion: "3.13.0" } })]);
    const file = benchmarkFile(h.series[0]!);
    expect(file.runs.map((r) => r.settingsChanged)).toEqual([undefined, ["header version", "Python version"], undefined]);
    expect(file.runs.map((r) => r.regression)).toEqual([undefined, undefined, ["peak"]]);
    const series = branchSeries(file, 0, "peakMemoryBytes");
    expect(series.map((p) => [p.broken, p.regression])).toEqual([[false, false], [true, false], [false, true]]);
  });

  it("a branch's first point measures its change against the base the model chose (on another branch)", () => {
    const h = buildHistory([ok("m1", 10 * MB, { day: 1 }), ok("f1", 8 * MB, { day: 2, branch: "feature" }), ok("f2", 9 * MB, { day: 3, branch: "feature" })]);
    const file = benchmarkFile(h.series[0]!);
    expect(file.runs.map((r) => r.base)).toEqual([undefined, 0, 1]);
    expect(branchSeries(file, 1, "peakMemoryBytes").map((p) => p.deltaBytes)).toEqual([-2 * MB, 1 * MB]);
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
    expect(rows.map((r) => r.series)).toEqual(["zeta", "alpha", "beta"]);
    expect(rows[0]).toMatchObject({ peakMemoryBytes: 20 * MB, change: { peak: { deltaBytes: 10 * MB, deltaPct: 100 }, regression: true }, spark: [10 * MB, 20 * MB], runCount: 3 });
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
    expect(formatChange(0, 0, f, "±0")).toBe("±0");
  });

  it("a regression flag names the leaked bytes when the peak did not grow past the rule", () => {
    const h = buildHistory([ok("a", 10 * MB, { day: 1 }), ok("b", 10 * MB, { day: 2, leakedBytes: 3 * MB }), ok("c", 20 * MB, { day: 3, leakedBytes: 3 * MB })]);
    expect(regressionNote(h.byId.get("b")!.change!)).toBe(", regression: leaked +3.00 MB");
    expect(regressionNote(h.byId.get("c")!.change!)).toBe(", regression");
    expect(regressionNote(h.byId.get("a")!.base === null ? { regressed: [], leaked: { deltaBytes: null, deltaPct: null } } : h.byId.get("a")!.change!)).toBe("");
  });

  it("run labels: the short commit and the mode, else the fallback", () => {
    expect(runLabel(ok("abcdef123", MB))).toBe("abcdef1");
    expect(runLabel(ok("abcdef123", MB, { header: { nativeTraces: true } }))).toBe("abcdef1 (native)");
    expect(runLabel(ok("x", MB, { commit: null, fileName: "x--y.bin" }))).toBe("x--y");
    expect(formatRunLabel(null, null, "run-id")).toBe("run-id");
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
    const file = benchmarkFile(h.series[0]!);
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
    const file = benchmarkFile(h.series[0]!);
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
