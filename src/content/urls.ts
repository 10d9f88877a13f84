/**
 * The site's URL scheme, one place for pages, the PR comment and `heaptrail ci`. Paths are
 * relative to the site base and end in "/" (Astro's directory format).
 */

/** FNV-1a, 32 bits, as 8 hex digits: isomorphic (no node:crypto), only for telling slugs apart. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * A benchmark name as one URL path segment. Names are untrusted and may hold anything
 * (pytest ids hold `/`, `::`, `[`): a name of safe characters is kept as it is; any other is
 * cleaned and suffixed with its hash, so two names never share a slug.
 */
export function benchmarkSlug(name: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return name;
  const clean = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "").slice(0, 80);
  return `${clean || "benchmark"}-${fnv1a(name)}`;
}

export const urls = {
  index: (): string => "",
  run: (runId: string): string => `runs/${runId}/`,
  benchmark: (name: string): string => `benchmarks/${benchmarkSlug(name)}/`,
  benchmarkLatest: (name: string): string => `benchmarks/${benchmarkSlug(name)}/latest/`,
  /** Per-benchmark history data (trend, runs table), fetched lazily by the benchmark page. */
  benchmarkData: (name: string): string => `data/benchmarks/${benchmarkSlug(name)}.json`,
  commit: (sha: string): string => `commits/${sha.replace(/[^0-9A-Za-z]/g, "")}/`,
  /** A commit's rows past its page's first screen, fetched when asked for (site/commit-rows.ts). */
  commitData: (sha: string): string => `data/commits/${sha.replace(/[^0-9A-Za-z]/g, "")}.json`,
  compare: (baseRunId: string, headRunId: string): string => `compare/${baseRunId}/${headRunId}/`,
  /** A group of tests (a test file, or `--meta group`): its page and its tests as JSON. */
  group: (name: string): string => `groups/${benchmarkSlug(name)}/`,
  groupData: (name: string): string => `data/groups/${benchmarkSlug(name)}.json`,
  /** The suite overview, and every grouped test's name for the index's filter. */
  suite: (): string => "suite/",
  suiteData: (): string => "data/suite.json",
};
