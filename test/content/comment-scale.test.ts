import { describe, expect, test } from "vitest";
import { commentSections, MAX_COMMENT_CHARS, renderMarkdown, type CompareReport } from "../../src/content/comment.ts";
import type { BenchmarkComparison } from "../../src/content/compare.ts";

const MiB = 1048576;

/** A suite-sized comparison: `n` tests, every `every`-th regressing, the others changed a little or not at all. */
function suite(n: number, every: number): CompareReport {
  const comparisons: BenchmarkComparison[] = [];
  for (let i = 0; i < n; i++) {
    const series = `tests/pkg${i % 5}/test_mod${String(i % 50).padStart(2, "0")}.py::TestGroup::test_case_with_a_long_name_${i}[param-${i % 3}]`;
    const regression = i % every === every - 1;
    const base = 10 * MiB + i * 1000;
    const delta = regression ? 8 * MiB : i % 3 === 0 ? 0 : (i % 7) * 1000 - 3000;
    const commit = (c: string) => c.repeat(40);
    comparisons.push({
      series,
      base: { id: `b${i}`, benchmark: series, branch: "main", commit: commit("a"), message: "base", inLedger: true },
      head: { id: `h${i}`, benchmark: series, branch: "feature", commit: commit("b"), message: "Make everything faster", inLedger: true },
      baseKind: "previous",
      baselineWindow: null,
      drift: null,
      settingsDifferences: [],
      peak: { base, head: base + delta, deltaBytes: delta, deltaPct: (100 * delta) / base },
      leaked: { base: 0, head: 0, deltaBytes: 0, deltaPct: null },
      allocations: { base: 100, head: 100, deltaBytes: 0, deltaPct: 0 },
      regression,
      callSites: Array.from({ length: 10 }, (_, k) => ({
        function: `helper_function_${k}`,
        filename: `src/package/module_${k}.py`,
        lineno: k + 1,
        baseBytes: 1000,
        headBytes: 1000 + k * 4096,
        baseCount: 1,
        headCount: 2,
        deltaBytes: k * 4096,
      })),
      callSitesFrom: "diff",
      notes: [],
    });
  }
  comparisons.sort((a, b) => Number(b.regression) - Number(a.regression));
  return { base: "commit:aaaaaaa", head: "commit:bbbbbbb", rule: { failAbovePct: 10, minBytes: MiB }, gate: true, failed: true, comparisons };
}

const SITE = { siteUrl: "https://acme.example/app/" };

describe("the comment at suite scale", () => {
  test("2,000 benchmarks: under GitHub's 65,536 characters, every regression named, the rest summed up", () => {
    const report = suite(2000, 100);
    const md = renderMarkdown(report, SITE);
    expect(md.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const regressed = report.comparisons.filter((c) => c.regression);
    expect(regressed).toHaveLength(20);
    const unescaped = md.replace(/\\([[\]_*])/g, "$1");
    for (const c of regressed) expect(unescaped).toContain(`[${c.series}](https://acme.example/app/runs/${c.head.id}/)`);
    expect(md).toContain("### Regressions (20)");
    const s = commentSections(report.comparisons);
    const hidden = s.moreOthers.changed + s.moreOthers.unchanged;
    expect(md).toContain(`…and ${hidden.toLocaleString("en-US")} more benchmarks (all on the commit page): ${s.moreOthers.changed.toLocaleString("en-US")} smaller changes, ${s.moreOthers.unchanged} unchanged.`);
    expect(md).toContain(`${s.counts.unchanged} unchanged (same peak and leaked bytes)`);
    expect(md).toContain("(https://acme.example/app/commits/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/)");
    // Detail is folded; the regressions' detail comes first.
    expect(md.indexOf("<details>")).toBeGreaterThan(md.indexOf("### Other benchmarks, biggest change first"));
    expect(md).toContain(`<summary>${regressed[0]!.series}: regression`);
  });

  test("2,000 regressions: still under the limit, the first `--max-rows` listed and the rest counted", () => {
    const report = suite(2000, 1);
    const md = renderMarkdown(report, { ...SITE, maxRows: 30 });
    expect(md.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(md).toContain("### Regressions (2,000)");
    expect(md).toContain("…and 1,970 more regressions (all on the commit page).");
    expect(md).not.toContain("Other benchmarks");
    // A cap too large to fit is halved until the comment fits.
    const big = renderMarkdown(report, { ...SITE, maxRows: 5000 });
    expect(big.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(big).toMatch(/…and [\d,]+ more regressions/);
  });

  test("sections: regressions, then changes by size, then counts", () => {
    const report = suite(300, 100);
    const s = commentSections(report.comparisons, 5);
    expect(s.regressions.every((c) => c.regression)).toBe(true);
    expect(s.regressions.length + s.moreRegressions).toBe(3);
    const sizes = s.others.map((c) => Math.abs(c.peak.deltaBytes!));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(s.others).toHaveLength(5);
    const m = s.moreOthers;
    expect(s.regressions.length + s.moreRegressions + s.others.length + m.changed + m.unchanged + m.notCompared).toBe(300);
    expect(s.counts.changed + s.counts.unchanged).toBe(297);
  });

  test("a summary's untrusted name is HTML-escaped", () => {
    const report = suite(1, 1);
    report.comparisons[0]!.series = 'x<img src=x onerror="alert(1)">\n# y';
    const md = renderMarkdown(report);
    expect(md).toContain("<summary>x&#60;img src=x onerror=&#34;alert(1)&#34;&#62; # y: regression");
  });
});
