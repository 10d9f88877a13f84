/**
 * The commit page's rows: every run of one commit against its base, formatted once so the page's
 * HTML and its lazy JSON (data/commits/<sha>.json) show exactly the same cells. At suite scale a
 * commit has one run per test (1,000 rows made the page 692 KB): the page renders the first
 * COMMIT_FIRST_SCREEN_ROWS (or the build's HEAPTRAIL_COMMIT_ROWS) of them by importance and fetches the rest when asked.
 */
import { isOverBudget } from "../content/budgets.ts";
import type { SeriesRun } from "../content/history.ts";
import { urls } from "../content/urls.ts";
import { formatBytes } from "../shared/format.ts";
import { driftTitle, formatChange, regressionNote, runLabel } from "./history.ts";

/** Rows a commit page renders into its HTML; past it the rest come from the commit's JSON. */
export const COMMIT_FIRST_SCREEN_ROWS = 100;
/** The build's environment variable that overrides it (a positive integer; the browser tests use a small one). */
export const COMMIT_ROWS_ENV = "HEAPTRAIL_COMMIT_ROWS";

/** The first screen's row count: COMMIT_ROWS_ENV when a positive integer, else COMMIT_FIRST_SCREEN_ROWS. */
export function commitFirstScreenRows(env: Record<string, string | undefined>): number {
  const n = Number(env[COMMIT_ROWS_ENV]);
  return env[COMMIT_ROWS_ENV] && Number.isInteger(n) && n >= 1 ? n : COMMIT_FIRST_SCREEN_ROWS;
}

/** The lazy JSON's version (bump when CommitRowView's fields change). */
export const COMMIT_FILE_VERSION = 1;

export interface CommitFlag {
  text: string;
  /** The span's class ("flag bad", "flag warn", "flag"). */
  cls: string;
  title: string | null;
}

/** One run as its row shows it; links relative to the site base. */
export interface CommitRowView {
  benchmark: string;
  benchmarkHref: string;
  runHref: string;
  run: string;
  branch: string;
  peak: string;
  baseHref: string | null;
  baseRun: string | null;
  change: string | null;
  /** "up", "down" or null: the change's direction. */
  dir: "up" | "down" | null;
  /** The comparison page of exactly this pair (run against its base), when the site builds one. */
  compareHref: string | null;
  regression: boolean;
  flags: CommitFlag[];
}

export interface CommitFile {
  version: typeof COMMIT_FILE_VERSION;
  commit: string;
  /** Every row, in the order the page shows them (commitRowOrder). */
  rows: CommitRowView[];
}

export interface CommitSummary {
  runs: number;
  regressions: number;
  drifts: number;
  overBudget: number;
}

const overBudget = (run: SeriesRun): boolean => run.entry.status === "ok" && isOverBudget(run.entry);

export function commitSummary(runs: readonly SeriesRun[]): CommitSummary {
  return {
    runs: runs.length,
    regressions: runs.filter((r) => r.change?.regression).length,
    drifts: runs.filter((r) => r.drift?.drift).length,
    overBudget: runs.filter(overBudget).length,
  };
}

/**
 * The order rows matter in: over budget, then regressions, then drift, then the biggest changes
 * (by |peak delta| in bytes), the rest by name (the history model's order). A commit whose runs
 * all fit on the first screen (`firstScreenRows`) keeps the model's order (by benchmark name), as a short list reads best so.
 */
export function commitRowOrder(runs: readonly SeriesRun[], firstScreenRows = COMMIT_FIRST_SCREEN_ROWS): SeriesRun[] {
  if (runs.length <= firstScreenRows) return [...runs];
  const rank = (r: SeriesRun): number => (overBudget(r) ? 0 : r.change?.regression ? 1 : r.drift?.drift ? 2 : 3);
  const size = (r: SeriesRun): number => Math.abs(r.change?.peak.deltaBytes ?? 0);
  return runs
    .map((run, i) => ({ run, i }))
    .sort((a, b) => rank(a.run) - rank(b.run) || size(b.run) - size(a.run) || a.i - b.i)
    .map((x) => x.run);
}

/**
 * A run's row. `linkOf` is history-store's compareLinkOf (the comparison page of exactly this
 * run and its base, when the site builds one), passed in so this module needs no content store.
 */
export function commitRowView(run: SeriesRun, linkOf: (run: SeriesRun) => { path: string } | null): CommitRowView {
  const cmp = run.change;
  const link = linkOf(run);
  const delta = cmp?.peak.deltaBytes ?? null;
  const flags: CommitFlag[] = [];
  const flag = (text: string, cls: string, title: string | null = null) => flags.push({ text, cls, title });
  if (run.entry.status === "failed") flag("failed", "flag bad");
  if (cmp?.regression) flag(cmp.regressed.includes("peak") ? "regression" : regressionNote(cmp).slice(2), "flag bad");
  if (overBudget(run) && run.entry.status === "ok") flag(`over budget (${formatBytes(run.entry.meta.budget!)})`, "flag bad over-budget");
  if (run.drift?.drift) flag(`drift: ${formatChange(run.drift.peak.deltaBytes!, run.drift.peak.deltaPct, formatBytes)} over the last ${run.drift.windowRuns} runs`, "flag warn", driftTitle(run.drift));
  if (cmp && cmp.settings.length > 0) flag("settings differ: not comparable", "flag", cmp.settings.map((d) => d.label).join(", "));
  if (run.entry.status === "ok" && !run.entry.complete) flag("incomplete capture", "flag warn");
  return {
    benchmark: run.series.name,
    benchmarkHref: urls.benchmark(run.series.name),
    runHref: urls.run(run.entry.id),
    run: runLabel(run.entry),
    branch: run.branch,
    peak: run.entry.status === "ok" ? formatBytes(run.entry.peakMemoryBytes) : "n/a",
    baseHref: run.base ? urls.run(run.base.entry.id) : null,
    baseRun: run.base ? runLabel(run.base.entry) : null,
    change: delta === null ? null : formatChange(delta, cmp!.peak.deltaPct, formatBytes),
    dir: delta === null || delta === 0 ? null : delta > 0 ? "up" : "down",
    compareHref: link ? link.path : null,
    regression: cmp?.regression ?? false,
    flags,
  };
}
