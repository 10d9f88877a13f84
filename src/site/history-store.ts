/**
 * The build's one History (src/content/history.ts): made from the content collection on first
 * use and shared by every page (module state lives for the whole static build), so 10,000 run
 * pages do not each group 10,000 entries or receive them as props. The default branch and the
 * drift rule come from the build's environment (HEAPTRAIL_DEFAULT_BRANCH, HEAPTRAIL_DRIFT_WINDOW,
 * HEAPTRAIL_DRIFT_ABOVE).
 */
import { getCollection } from "astro:content";
import { compareRunLabel } from "../content/compare.ts";
import { buildHistory, comparePairOf, DEFAULT_BRANCH_ENV, driftRuleFromEnv, type History, type SeriesRun } from "../content/history.ts";
import { urls } from "../content/urls.ts";

let cached: Promise<History> | null = null;

export function getHistory(): Promise<History> {
  cached ??= getCollection("runs").then((entries) =>
    buildHistory(
      entries.map((e) => e.data),
      { defaultBranch: process.env[DEFAULT_BRANCH_ENV] || null, drift: driftRuleFromEnv(process.env) },
    ),
  );
  return cached;
}

export interface CompareLink {
  /** Site-relative path of the compare page. */
  path: string;
  /** The base run, as a reader names it. */
  label: string;
}

/** The compare page of a run against its base, when the site builds one. */
export function compareLinkOf(run: SeriesRun): CompareLink | null {
  const pair = comparePairOf(run);
  return pair ? { path: urls.compare(pair.base.id, pair.head.id), label: compareRunLabel(pair.base) } : null;
}
