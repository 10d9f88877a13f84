/**
 * The history model on one small ledger: every surface (commit page, compare pages, benchmark
 * rows, index row, `heaptrail compare HEAD`, the `ci` comment) gives the same base and the same
 * change for every run, including a branch's first run, a pull-request run, runs whose settings
 * differ and a run whose base was pruned; plus the default branch, series, settings and drift.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { benchmarkFile } from "../../src/content/benchmark-file.ts";
import { compareWithBases, compareWithHistory, type LoadContext } from "../../src/content/compare-load.ts";
import {
  buildHistory,
  chooseDefaultBranch,
  comparePairOf,
  driftRuleFromEnv,
  indexRows,
  NO_BRANCH,
  seriesName,
  settingsDifferences,
  type History,
} from "../../src/content/history.ts";
import type { OkRunEntry, RunEntry } from "../../src/content/schema.ts";
import { runsDir } from "../../src/content/ledger.ts";
import { branchSeries } from "../../src/site/history.ts";
import { failedEntry, okEntry, type OkEntryFields } from "../helpers/entries.ts";

const MB = 1_000_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

type Opts = OkEntryFields & { day?: number };

function ok(id: string, peakMemoryBytes: number, o: Opts = {}): OkRunEntry {
  const { header, day = 0, ...rest } = o;
  return okEntry(id, { timeMs: T0 + day * DAY, peakMemoryBytes, totalBytesAllocated: peakMemoryBytes * 2, nAllocations: 100, ...rest, header: { pythonVersion: "3.12.1", ...header } });
}

const failed = failedEntry;

/**
 * The small ledger: main m1..m5 (m1 pruned; m3 after a memray upgrade: other settings), a failed
 * run, a feature branch without PR meta (f1, f2), a pull request against main (p1, p2: meta pr) and
 * one against a release branch (q1: meta baseBranch).
 */
const LEDGER: RunEntry[] = [
  ok("m1", 10 * MB, { day: 1, dataPruned: true }),
  ok("m2", 10.5 * MB, { day: 2 }),
  ok("m3", 11 * MB, { day: 3, header: { version: 14 } }),
  failed("fx", { timeMs: T0 + 3.5 * DAY }),
  ok("f1", 20 * MB, { day: 3.6, branch: "feature", header: { version: 14 } }),
  ok("m4", 11.5 * MB, { day: 4, header: { version: 14 } }),
  ok("p1", 9 * MB, { day: 4.5, branch: "fix", meta: { pr: 7 }, leakedBytes: 5 * MB, header: { version: 14 } }),
  ok("f2", 21 * MB, { day: 5, branch: "feature", header: { version: 14 } }),
  ok("p2", 9.5 * MB, { day: 5.5, branch: "fix", meta: { pr: 7 }, header: { version: 14 } }),
  ok("m5", 14 * MB, { day: 6, header: { version: 14 } }),
  ok("r1", 5 * MB, { day: 2, branch: "release" }),
  ok("q1", 5.5 * MB, { day: 6.5, branch: "release-fix", meta: { baseBranch: "release" } }),
];

/** Every run's [base id, peak delta, regression] as the history model gives it. */
const EXPECTED: Record<string, [string | null, number | null, boolean]> = {
  m1: [null, null, false],
  m2: ["m1", 0.5 * MB, false],
  m3: ["m2", 0.5 * MB, false], // settings differ: not comparable
  f1: ["m3", 9 * MB, true], // a branch's first run: main's newest at or before it
  m4: ["m3", 0.5 * MB, false],
  p1: ["m4", -2.5 * MB, true], // a PR run: main's newest at or before it; leaked +5 MB
  f2: ["f1", 1 * MB, false], // then its branch's previous run
  p2: ["m4", -2 * MB, false], // every PR run: against the base branch, not its previous run
  m5: ["m4", 2.5 * MB, true],
  r1: ["m2", -5.5 * MB, false], // the release branch's first run: main's run before it
  q1: ["r1", 0.5 * MB, false], // meta baseBranch: that branch
};

const root = mkdtempSync(join(tmpdir(), "heaptrail-history-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A content folder holding `entries` (entries only: no data files, as after pruning). */
function ledgerDir(entries: readonly RunEntry[]): string {
  const dir = mkdtempSync(join(root, "ledger-"));
  mkdirSync(runsDir(dir), { recursive: true });
  for (const e of entries) writeFileSync(join(runsDir(dir), `${e.id}.json`), JSON.stringify(e));
  return dir;
}

describe("one base and one change for every run, on every surface", () => {
  const h: History = buildHistory(LEDGER);
  const ids = Object.keys(EXPECTED);

  it("the model", () => {
    for (const id of ids) {
      const run = h.byId.get(id)!;
      expect([run.base?.entry.id ?? null, run.change?.peak.deltaBytes ?? null, run.change?.regression ?? false], id).toEqual(EXPECTED[id]);
    }
    expect(h.byId.get("m3")!.change!.settings.map((d) => d.label)).toEqual(["header version"]);
    expect(h.byId.get("p1")!.change!.regressed).toEqual(["leaked"]);
    expect(h.byId.get("f1")!.baseKind).toBe("branch-start");
    expect(h.byId.get("p2")!.baseKind).toBe("pr");
    expect(h.byId.get("f2")!.baseKind).toBe("previous");
  });

  it("commit pages: each run of a commit with its base and change", () => {
    for (const [, runs] of h.byCommit) {
      for (const run of runs) expect([run.base?.entry.id ?? null, run.change?.peak.deltaBytes ?? null, run.change?.regression ?? false]).toEqual(EXPECTED[run.entry.id]);
    }
  });

  it("compare pages: exactly the run/base pairs whose runs both keep flame data, and each page shows that change", () => {
    const pairs = h.pairs.map((p) => `${p.base.id}>${p.head.id}`).sort();
    const expected = ids.filter((id) => EXPECTED[id]![0] !== null && EXPECTED[id]![0] !== "m1").map((id) => `${EXPECTED[id]![0]}>${id}`).sort();
    expect(pairs).toEqual(expected);
    // m2's base was pruned: no page, but its change is there, from the entries' summaries.
    expect(comparePairOf(h.byId.get("m2")!)).toBeNull();
    expect(h.byId.get("m2")!.change!.peak.deltaBytes).toBe(0.5 * MB);
  });

  it("benchmark rows: the data file names each run's base, the runs table and chart read their change from it", () => {
    const series = h.seriesByName.get("bench")!;
    const file = benchmarkFile(series);
    const byRun = new Map<string, { delta: number | null; regression: boolean }>();
    file.branches.forEach((_, b) => {
      for (const p of branchSeries(file, b, "peakMemoryBytes")) byRun.set(file.runs[p.run]!.id, { delta: p.deltaBytes, regression: file.runs[p.run]!.regression !== undefined });
    });
    for (const id of ids) {
      const r = file.runs.find((x) => x.id === id)!;
      expect(r.base === undefined ? null : file.runs[r.base]!.id, id).toBe(EXPECTED[id]![0]);
      expect([byRun.get(id)!.delta, byRun.get(id)!.regression], id).toEqual([EXPECTED[id]![1], EXPECTED[id]![2]]);
    }
  });

  it("the index row: the default branch's latest run and its change", () => {
    const row = indexRows(h).find((r) => r.series === "bench")!;
    expect(row.latestOk!.entry.id).toBe("m5");
    expect([row.latestOk!.base!.entry.id, row.change!.peak.deltaBytes, row.change!.regression]).toEqual(EXPECTED.m5);
  });

  it("`heaptrail compare HEAD` and the ci comment: the same base and change", async () => {
    const dir = ledgerDir(LEDGER);
    const ctx: LoadContext = { contentDir: dir, ledger: null };
    for (const id of ids) {
      const result = await compareWithHistory(ctx, id, {});
      const c = result.comparisons[0]!;
      expect([c.base?.id ?? null, c.peak.deltaBytes, c.regression], id).toEqual(EXPECTED[id]);
    }
    // ci compares this job's runs (here every run) the same way.
    const comment = compareWithBases(dir, [...h.byId.values()], {});
    for (const c of comment) expect([c.base?.id ?? null, c.peak.deltaBytes, c.regression], c.head.id).toEqual(EXPECTED[c.head.id]);
    expect(comment).toHaveLength(ids.length);
  });

  it("a known merge base moves a PR run's base back to the base branch's run of that commit", () => {
    const withMb = buildHistory(LEDGER, { mergeBases: new Map([[h.byId.get("p2")!.entry.commit!, h.byId.get("m2")!.entry.commit!]]) });
    expect(withMb.byId.get("p2")!.base!.entry.id).toBe("m2");
    expect(withMb.byId.get("p1")!.base!.entry.id).toBe("m4");
  });
});

describe("default branch and series", () => {
  it("is configured, else main, else master, else the branch with most runs", () => {
    expect(chooseDefaultBranch(["dev", "main"], "trunk")).toBe("trunk");
    expect(chooseDefaultBranch(["dev", "dev", "main"])).toBe("main");
    expect(chooseDefaultBranch(["dev", "master"])).toBe("master");
    expect(chooseDefaultBranch(["b", "a", "a", "b", "c"])).toBe("a");
    expect(chooseDefaultBranch([])).toBeNull();
  });

  it("falls back per series to the series' own busiest branch", () => {
    const h = buildHistory([ok("a", MB), ok("b", MB, { benchmark: "other", branch: "dev" }), ok("c", MB, { benchmark: "other", branch: null })]);
    expect(h.defaultBranch).toBe("main");
    expect(h.seriesByName.get("other")!.defaultBranch).toBe(NO_BRANCH);
  });

  it("--native and --aggregate runs are series of their own", () => {
    expect(seriesName(ok("n", MB, { header: { nativeTraces: true } }))).toBe("bench [native]");
    expect(seriesName(ok("g", MB, { header: { aggregated: true } }))).toBe("bench [aggregated]");
    const h = buildHistory([ok("a", MB), ok("n", MB, { header: { nativeTraces: true } })]);
    expect(h.series.map((t) => t.name)).toEqual(["bench", "bench [native]"]);
  });

  it("groups runs by commit across benchmarks and links neighbours per branch", () => {
    const sha = "a".repeat(40);
    const h = buildHistory([ok("x", MB, { commit: sha, benchmark: "zeta" }), ok("y", MB, { commit: sha, benchmark: "alpha" }), ok("z", MB)]);
    expect(h.byCommit.get(sha)!.map((r) => r.entry.id)).toEqual(["y", "x"]);
    const l = buildHistory(LEDGER);
    expect(l.byId.get("m4")!.prev!.entry.id).toBe("fx");
    expect(l.byId.get("fx")!.next!.entry.id).toBe("m4");
  });
});

describe("the settings check", () => {
  const h = ok("a", MB).header;
  it("same settings compare", () => expect(settingsDifferences(h, { ...h })).toEqual([]));
  it("each difference has its short label and its sentence", () => {
    expect(settingsDifferences(h, { ...h, nativeTraces: true, aggregated: true, pythonVersion: "3.13.0", version: 12 })).toEqual([
      { label: "header version", sentence: "capture format: v13 → v12" },
      { label: "Python version", sentence: "Python: 3.12.1 → 3.13.0" },
      { label: "native traces", sentence: "native traces: off → on" },
      { label: "aggregated", sentence: "capture mode: all allocations → aggregated" },
    ]);
  });
});

describe("drift", () => {
  // +1.5 MB a run on a 30 MB benchmark: each step +5%, under the 10% step rule.
  const creep = [0, 1, 2, 3, 4, 5].map((k) => ok(`c${k}`, 30 * MB + k * 1.5 * MB, { day: k + 1 }));

  it("creep over the baseline window's minimum is drift, no single step a regression", () => {
    const h = buildHistory(creep);
    const runs = creep.map((e) => h.byId.get(e.id)!);
    expect(runs.map((r) => r.change?.regression ?? false)).toEqual([false, false, false, false, false, false]);
    // c3: +4.5 MB (+15%) over c0; c2: +3 MB (+10.0%, not above 10%).
    expect(runs.map((r) => r.drift?.drift ?? false)).toEqual([false, false, false, true, true, true]);
    expect(runs[5]!.drift).toMatchObject({ windowRuns: 5, peak: { deltaBytes: 7.5 * MB, deltaPct: 25 } });
    expect(runs[5]!.drift!.baseline.entry.id).toBe("c0");
    expect(indexRows(h)[0]!.drift!.drift).toBe(true);
    expect(benchmarkFile(h.series[0]!).runs[5]!.drift).toEqual({ baseline: 0, deltaBytes: 7.5 * MB, deltaPct: 25 });
  });

  it("the window and threshold are settable; a step regression is not also called drift; a settings change ends the window", () => {
    const short = buildHistory(creep, { drift: { windowRuns: 2 } });
    expect(short.byId.get("c5")!.drift).toMatchObject({ windowRuns: 2, drift: false });
    expect(buildHistory(creep, { drift: { driftAbovePct: 30 } }).byId.get("c5")!.drift!.drift).toBe(false);
    const step = buildHistory([...creep.slice(0, 3), ok("s", 50 * MB, { day: 9 })]).byId.get("s")!;
    expect([step.change!.regression, step.drift!.drift]).toEqual([true, false]);
    const upgraded = buildHistory([...creep.slice(0, 5), ok("u", 40 * MB, { day: 9, header: { version: 14 } })]).byId.get("u")!;
    expect(upgraded.drift).toBeNull();
    expect(driftRuleFromEnv({ HEAPTRAIL_DRIFT_WINDOW: "20", HEAPTRAIL_DRIFT_ABOVE: "5" })).toEqual({ windowRuns: 20, driftAbovePct: 5 });
    expect(driftRuleFromEnv({ HEAPTRAIL_DRIFT_WINDOW: "zero" })).toEqual({});
  });

  it("a pull-request run's window is the base branch's runs up to its base", () => {
    const h = buildHistory([...creep, ok("pr", 36 * MB, { day: 3.5, branch: "x", meta: { pr: 1 } })]);
    const pr = h.byId.get("pr")!;
    expect(pr.base!.entry.id).toBe("c2");
    expect(pr.drift).toMatchObject({ windowRuns: 3, drift: true, peak: { deltaBytes: 6 * MB } });
  });
});
