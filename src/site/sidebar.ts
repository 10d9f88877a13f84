/**
 * The sidebar's links: benchmarks, not runs, so it does not grow with the history. With hundreds
 * of benchmarks (pytest-memray: one per test) every page would carry them all (~11 KB a page at
 * 200, 0.2 GB over a 10,000-run site): past `max` the tests give way to their groups (a test file
 * a link, the other benchmarks as they are), and past `max` of those it lists the current item's
 * neighbours and leaves the rest to the index, which filters and sorts.
 */
import { urls } from "../content/urls.ts";

/** Links the sidebar lists at most. */
export const SIDEBAR_MAX = 40;

export interface SidebarItem {
  label: string;
  /** Site-relative. */
  href: string;
  current: boolean;
}

/**
 * `series`: every benchmark's name in the sidebar's order; `groupOf`: a grouped test's group
 * (suites.ts), absent for the other benchmarks; `current`: the page's benchmark, if any.
 */
export function sidebarItems(series: readonly string[], groupOf: ReadonlyMap<string, string>, current: string | undefined, max = SIDEBAR_MAX): SidebarItem[] {
  let items: SidebarItem[] = series.map((name) => ({ label: name, href: urls.benchmark(name), current: name === current }));
  if (items.length > max && groupOf.size > 0) {
    const currentGroup = current === undefined ? undefined : groupOf.get(current);
    const groups = [...new Set(series.map((name) => groupOf.get(name)).filter((g) => g !== undefined))].sort();
    items = [
      ...items.filter((i) => !groupOf.has(i.label)),
      ...groups.map((g) => ({ label: g, href: urls.group(g), current: g === currentGroup })),
    ];
  }
  if (items.length <= max) return items;
  const at = Math.max(0, items.findIndex((i) => i.current));
  const start = Math.min(Math.max(0, at - max / 2), Math.max(0, items.length - max));
  return items.slice(start, start + max);
}
