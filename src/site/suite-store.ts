/**
 * The build's one suite view (suites.ts), made from the shared History on first use and shared by
 * the index, the group pages, the overview and their JSON files.
 */
import { indexRows, type History } from "../content/history.ts";
import { getHistory } from "./history-store.ts";
import { suiteGroups, suiteTests, type SuiteGroup, type SuiteTest } from "./suites.ts";

export interface Suite {
  history: History;
  tests: SuiteTest[];
  groups: SuiteGroup[];
  /** Index row trend names that sit in a group (the index's flat table leaves them out). */
  grouped: Set<string>;
}

let cached: Promise<Suite> | null = null;

export function getSuite(): Promise<Suite> {
  cached ??= getHistory().then((history) => {
    const tests = suiteTests(indexRows(history));
    return { history, tests, groups: suiteGroups(tests), grouped: new Set(tests.map((t) => t.name)) };
  });
  return cached;
}
