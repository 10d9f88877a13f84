/**
 * The build's one History: made from the content collection on first use and shared by every
 * page (module state lives for the whole static build), so 10,000 run pages do not each group
 * 10,000 entries or receive them as props.
 */
import { getCollection } from "astro:content";
import { comparePairs, compareRunLabel } from "../content/compare.ts";
import { urls } from "../content/urls.ts";
import { buildHistory, DEFAULT_BRANCH_ENV, type History } from "./history.ts";

let cached: Promise<History> | null = null;

export function getHistory(): Promise<History> {
  cached ??= getCollection("runs").then((entries) => buildHistory(entries.map((e) => e.data), { defaultBranch: process.env[DEFAULT_BRANCH_ENV] || null }));
  return cached;
}

export interface CompareLink {
  /** Site-relative path of the compare page. */
  path: string;
  /** The base run, as a reader names it. */
  label: string;
}

let compares: Promise<Map<string, CompareLink[]>> | null = null;

/** The compare pages each run is the head of (comparePairs), by head run id; built once. */
export function getComparesByHead(): Promise<Map<string, CompareLink[]>> {
  compares ??= getHistory().then((history) => {
    const byHead = new Map<string, CompareLink[]>();
    for (const p of comparePairs([...history.byId.values()].map((r) => r.entry))) {
      byHead.set(p.head.id, [...(byHead.get(p.head.id) ?? []), { path: urls.compare(p.base.id, p.head.id), label: compareRunLabel(p.base) }]);
    }
    return byHead;
  });
  return compares;
}
