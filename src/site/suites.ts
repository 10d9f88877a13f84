/**
 * The site's view of a test suite: the index's groups, each group's tests, and the suite
 * overview (distribution of per-test peaks, outliers, the tests that grew most since their base,
 * the suite's total over commits, parametrized tests together). Built from the history model's
 * index rows (content/history.ts) at build time; the rows' compact form (`SuiteTest`) is also what the lazy JSON
 * files hold, so the browser renders exactly what the page would have.
 */
import { isOverBudget } from "../content/budgets.ts";
import { testPlace } from "../content/suites.ts";
import { urls } from "../content/urls.ts";
import type { History, IndexRow } from "../content/history.ts";
import { formatBytes, formatChange } from "../shared/format.ts";

/** One test (trend) as the index, the group pages and their JSON show it. */
export interface SuiteTest {
  /** The trend name (benchmark, with its capture mode when not the default): the benchmark page's key. */
  name: string;
  group: string;
  /** The test function without parameters: parametrized tests share it. */
  test: string;
  params: string | null;
  /** Latest ok run on the default branch; null when it has none. */
  runId: string | null;
  peakBytes: number | null;
  deltaBytes: number | null;
  deltaPct: number | null;
  regression: boolean;
  /** Peak above its baseline window's by the drift rule. */
  drift: boolean;
  budgetBytes: number | null;
  overBudget: boolean;
  failed: boolean;
}

export interface SuiteGroup {
  name: string;
  /** The test file's top folder, or null for a `--meta group` of other benchmarks. */
  suite: string | null;
  count: number;
  sumPeakBytes: number;
  maxPeakBytes: number;
  regressions: number;
  drift: number;
  overBudget: number;
  failed: number;
}

/** The index rows that sit in a group (test ids and `--meta group`), as suite tests. */
export function suiteTests(rows: readonly IndexRow[]): SuiteTest[] {
  const out: SuiteTest[] = [];
  for (const r of rows) {
    const shown = (r.latestOk ?? r.latest).entry;
    const place = testPlace(shown.benchmark, shown.meta.group);
    if (place.group === null) continue;
    const ok = r.latestOk?.entry.status === "ok" ? r.latestOk.entry : null;
    out.push({
      name: r.series,
      group: place.group,
      test: place.test,
      params: place.params,
      runId: ok ? ok.id : null,
      peakBytes: r.peakMemoryBytes,
      deltaBytes: r.change?.peak.deltaBytes ?? null,
      deltaPct: r.change?.peak.deltaPct ?? null,
      regression: r.change?.regression ?? false,
      drift: r.drift?.drift ?? false,
      budgetBytes: ok?.meta.budget ?? null,
      overBudget: ok ? isOverBudget(ok) : false,
      failed: r.latestFailed,
    });
  }
  return out;
}

/** Groups by name, with their counts and sums; groups with a regression or a test over budget first. */
export function suiteGroups(tests: readonly SuiteTest[]): SuiteGroup[] {
  const groups = new Map<string, SuiteGroup>();
  for (const t of tests) {
    let g = groups.get(t.group);
    if (!g) groups.set(t.group, (g = { name: t.group, suite: testPlace(t.test).suite, count: 0, sumPeakBytes: 0, maxPeakBytes: 0, regressions: 0, drift: 0, overBudget: 0, failed: 0 }));
    g.count++;
    g.sumPeakBytes += t.peakBytes ?? 0;
    g.maxPeakBytes = Math.max(g.maxPeakBytes, t.peakBytes ?? 0);
    if (t.regression) g.regressions++;
    if (t.drift) g.drift++;
    if (t.overBudget) g.overBudget++;
    if (t.failed) g.failed++;
  }
  const flagged = (g: SuiteGroup) => g.regressions + g.drift + g.overBudget + g.failed > 0;
  return [...groups.values()].sort((a, b) => Number(flagged(b)) - Number(flagged(a)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A group's tests by test function (parametrized ones together), then parameters. */
export function groupTests(tests: readonly SuiteTest[], group: string): SuiteTest[] {
  return tests.filter((t) => t.group === group).sort((a, b) => cmp(a.test, b.test) || cmp(a.params ?? "", b.params ?? "") || cmp(a.name, b.name));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface HistogramBin {
  minBytes: number;
  maxBytes: number;
  count: number;
}

/** Per-test peaks in powers-of-two bins (memory spans decades: a linear scale hides the small tests). */
export function peakHistogram(tests: readonly SuiteTest[]): HistogramBin[] {
  const peaks = tests.map((t) => t.peakBytes).filter((p): p is number => p !== null && p > 0);
  if (peaks.length === 0) return [];
  const lo = Math.floor(Math.log2(Math.min(...peaks)));
  const hi = Math.floor(Math.log2(Math.max(...peaks)));
  const bins: HistogramBin[] = [];
  for (let e = lo; e <= hi; e++) bins.push({ minBytes: 2 ** e, maxBytes: 2 ** (e + 1), count: 0 });
  for (const p of peaks) bins[Math.floor(Math.log2(p)) - lo]!.count++;
  return bins;
}

/**
 * Outliers: tests whose peak is far above the suite's (on a log scale, above the upper quartile by
 * more than 1.5 interquartile ranges, Tukey's fence), largest first, at most `limit`.
 */
export function peakOutliers(tests: readonly SuiteTest[], limit = 20): SuiteTest[] {
  const withPeak = tests.filter((t) => t.peakBytes !== null && t.peakBytes > 0);
  if (withPeak.length < 4) return [];
  const logs = withPeak.map((t) => Math.log2(t.peakBytes!)).sort((a, b) => a - b);
  const q = (f: number) => logs[Math.min(logs.length - 1, Math.floor(f * (logs.length - 1)))]!;
  const fence = q(0.75) + 1.5 * (q(0.75) - q(0.25));
  return withPeak
    .filter((t) => Math.log2(t.peakBytes!) > fence)
    .sort((a, b) => b.peakBytes! - a.peakBytes! || cmp(a.name, b.name))
    .slice(0, limit);
}

/** The tests whose peak grew most against their base (the run before), at most `limit`. */
export function grewMost(tests: readonly SuiteTest[], limit = 20): SuiteTest[] {
  return tests
    .filter((t) => (t.deltaBytes ?? 0) > 0)
    .sort((a, b) => b.deltaBytes! - a.deltaBytes! || cmp(a.name, b.name))
    .slice(0, limit);
}

export interface ParametrizedFamily {
  test: string;
  group: string;
  count: number;
  minPeakBytes: number;
  maxPeakBytes: number;
  /** The members, by parameters. */
  members: SuiteTest[];
}

/** Parametrized test functions (two or more parameter sets), widest spread of peak first, at most `limit`. */
export function parametrizedFamilies(tests: readonly SuiteTest[], limit = 20): ParametrizedFamily[] {
  const byTest = new Map<string, SuiteTest[]>();
  for (const t of tests) if (t.params !== null) byTest.set(`${t.group}\0${t.test}`, [...(byTest.get(`${t.group}\0${t.test}`) ?? []), t]);
  const families: ParametrizedFamily[] = [];
  for (const members of byTest.values()) {
    if (members.length < 2) continue;
    const peaks = members.map((m) => m.peakBytes ?? 0);
    families.push({ test: members[0]!.test, group: members[0]!.group, count: members.length, minPeakBytes: Math.min(...peaks), maxPeakBytes: Math.max(...peaks), members: [...members].sort((a, b) => cmp(a.params!, b.params!)) });
  }
  const spread = (f: ParametrizedFamily) => f.maxPeakBytes / Math.max(1, f.minPeakBytes);
  return families.sort((a, b) => spread(b) - spread(a) || cmp(a.test, b.test)).slice(0, limit);
}

export interface SuiteTotal {
  commit: string;
  timeMs: number;
  /** Sum of the peaks of the commit's ok runs of grouped tests on the default branch. */
  sumPeakBytes: number;
  tests: number;
}

/** The suite's total peak per commit on each test's default branch, oldest first, the newest `limit` commits. */
export function suiteTotals(history: History, tests: readonly SuiteTest[], limit = 100): SuiteTotal[] {
  const names = new Set(tests.map((t) => t.name));
  const byCommit = new Map<string, SuiteTotal>();
  for (const series of history.series) {
    if (!names.has(series.name)) continue;
    for (const run of series.branches.get(series.defaultBranch) ?? []) {
      const e = run.entry;
      if (e.status !== "ok" || !e.commit) continue;
      let total = byCommit.get(e.commit);
      if (!total) byCommit.set(e.commit, (total = { commit: e.commit, timeMs: e.timeMs, sumPeakBytes: 0, tests: 0 }));
      total.sumPeakBytes += e.peakMemoryBytes;
      total.tests++;
      total.timeMs = Math.max(total.timeMs, e.timeMs);
    }
  }
  return [...byCommit.values()].sort((a, b) => a.timeMs - b.timeMs || cmp(a.commit, b.commit)).slice(-limit);
}

/** How many rows a page renders into its HTML; the rest come from its JSON file when asked for. */
export const FIRST_SCREEN_ROWS = 100;
/** Groups the index renders; past it the filter finds the rest in the suite's JSON. */
export const FIRST_SCREEN_GROUPS = 200;

/** The lazy JSON files' version (bump when SuiteTest's fields change). */
export const SUITE_FILE_VERSION = 1;

export interface GroupFile {
  version: typeof SUITE_FILE_VERSION;
  group: string;
  tests: SuiteTestView[];
}

export interface SuiteIndexFile {
  version: typeof SUITE_FILE_VERSION;
  /** Every group as the index row shows it. */
  groups: Array<SuiteGroupView>;
  /** Every grouped test's name and its group's index in `groups`, for the index's filter. */
  tests: Array<[name: string, group: number]>;
}

export interface SuiteGroupView {
  name: string;
  href: string;
  dataHref: string;
  count: number;
  sum: string;
  max: string;
  regressions: number;
  drift: number;
  overBudget: number;
  failed: number;
}

export function groupView(g: SuiteGroup): SuiteGroupView {
  return {
    name: g.name,
    href: urls.group(g.name),
    dataHref: urls.groupData(g.name),
    count: g.count,
    sum: formatBytes(g.sumPeakBytes),
    max: formatBytes(g.maxPeakBytes),
    regressions: g.regressions,
    drift: g.drift,
    overBudget: g.overBudget,
    failed: g.failed,
  };
}

/** A test as a row shows it: the figures already formatted, the links relative to the site base. */
export interface SuiteTestView {
  name: string;
  test: string;
  params: string | null;
  href: string;
  runHref: string | null;
  peak: string;
  change: string | null;
  /** "up", "down" or null: the change's direction. */
  dir: "up" | "down" | null;
  budget: string | null;
  regression: boolean;
  drift: boolean;
  overBudget: boolean;
  failed: boolean;
}

export function testView(t: SuiteTest): SuiteTestView {
  return {
    name: t.name,
    test: t.test,
    params: t.params,
    href: urls.benchmark(t.name),
    runHref: t.runId ? urls.run(t.runId) : null,
    peak: t.peakBytes === null ? "n/a" : formatBytes(t.peakBytes),
    change: t.deltaBytes === null ? null : formatChange(t.deltaBytes, t.deltaPct, formatBytes),
    dir: t.deltaBytes === null || t.deltaBytes === 0 ? null : t.deltaBytes > 0 ? "up" : "down",
    budget: t.budgetBytes === null ? null : formatBytes(t.budgetBytes),
    regression: t.regression,
    drift: t.drift,
    overBudget: t.overBudget,
    failed: t.failed,
  };
}
