/**
 * `heaptrail compare` on the demo history in captures/: the regression at the sixth commit and
 * its fix as markdown snapshots, exit codes, commit-to-commit over both benchmarks, capture files
 * without a ledger, untrusted strings escaped.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { COMMENT_MARKER, renderMarkdown, type CompareReport } from "../../src/content/comment.ts";
import { buildContent } from "../../src/content/ingest.ts";
import { runCli } from "../helpers/cli.ts";

const CAPTURES = join(import.meta.dirname, "../../captures");
const COMMITS = ["a55ec1e", "80213f9", "84b1b36", "8f1c376"];
const root = mkdtempSync(join(tmpdir(), "heaptrail-compare-test-"));
const content = join(root, "content");
/** Run ids come from each capture and its metadata: capture file stem → id. */
const ids = new Map<string, string>();
const id = (stem: string): string => ids.get(stem)!;

beforeAll(async () => {
  // The ledger as `heaptrail build` writes it (its content stage: no site needed).
  const captures = join(root, "captures");
  mkdirSync(captures);
  for (const bench of ["import_orders", "render_report"]) {
    for (const c of COMMITS) {
      for (const ext of [".bin", ".meta.json"]) copyFileSync(join(CAPTURES, `${bench}--${c}${ext}`), join(captures, `${bench}--${c}${ext}`));
    }
  }
  const result = await buildContent({ capturesDir: captures, contentDir: content, env: {}, cwd: captures });
  expect(result.status).toBe(0);
  for (const r of result.runs) ids.set(r.fileName.replace(/\.bin$/, ""), r.runId);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(["compare", ...argv]);

const SITE = ["--site-url", "https://acme.example/etl/"];

describe("heaptrail compare on the demo history", () => {
  test("the regression at the sixth commit: +40% peak, the call sites, links, the marker", async () => {
    const r = await run(id("import_orders--a55ec1e"), id("import_orders--80213f9"), "--content", content, ...SITE);
    expect(r.status).toBe(0);
    expect(r.out.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(r.out).toContain("+25.1 MB (+40.5%)");
    expect(r.out).toContain("**regression**");
    expect(r.out).toContain(`](https://acme.example/etl/compare/${id("import_orders--a55ec1e")}/${id("import_orders--80213f9")}/)`);
    await expect(r.out).toMatchFileSnapshot("__snapshots__/compare-regression.md");
  });

  test("the fix two commits later", async () => {
    const r = await run(id("import_orders--84b1b36"), id("import_orders--8f1c376"), "--content", content, ...SITE);
    expect(r.status).toBe(0);
    expect(r.out).toContain("-22.7 MB (-25.7%)");
    expect(r.out).not.toContain("**regression**");
    await expect(r.out).toMatchFileSnapshot("__snapshots__/compare-fix.md");
  });

  test("exit status: 0 without --fail-above, 1 above it, 0 under a higher threshold or a larger --min-bytes", async () => {
    const pair = ["commit:a55ec1e", "commit:80213f9", "--content", content, "--format", "json"];
    expect((await run(...pair)).status).toBe(0);
    expect((await run(...pair, "--fail-above", "10")).status).toBe(1);
    // Leaked bytes grew tenfold: a threshold above the peak's 40% still fails on them.
    expect((await run(...pair, "--fail-above", "50")).status).toBe(1);
    expect((await run(...pair, "--fail-above", "5000")).status).toBe(0);
    expect((await run(...pair, "--fail-above", "10", "--min-bytes", String(200 << 20))).status).toBe(0);
    // The fix is no regression.
    expect((await run("commit:84b1b36", "commit:8f1c376", "--content", content, "--fail-above", "10")).status).toBe(0);
  });

  test("--help explains every option with its default and exits 0", async () => {
    const r = await run("--help");
    expect(r.status).toBe(0);
    for (const flag of ["--content", "--format", "--fail-above", "--min-bytes", "--site-url", "--max-rows", "--output"]) expect(r.out).toContain(flag);
    expect(r.out).toContain("default 1048576");
  });

  test("usage errors exit 2", async () => {
    // No arguments; a commit the given history does not have (never the checkout's own content/).
    expect((await run()).status).toBe(2);
    expect((await run("commit:a55ec1e", "--content", join(root, "no-such-content"))).status).toBe(2);
    expect((await run("no-such-run", id("import_orders--80213f9"), "--content", content)).status).toBe(2);
    expect((await run("commit:a55ec1e", "commit:80213f9", "--content", content, "--fail-above", "ten")).status).toBe(2);
    expect((await run("commit:a55ec1e", "commit:80213f9", "--content", content, "--format", "html")).status).toBe(2);
  });

  test("commit to commit: one row per benchmark, worst first", async () => {
    const r = await run("commit:a55ec1e", "commit:80213f9", "--content", content, "--format", "json");
    const report = JSON.parse(r.out) as CompareReport;
    expect(report.comparisons.map((c) => [c.series, c.base?.id, c.head.id, c.regression])).toEqual([
      ["import_orders", id("import_orders--a55ec1e"), id("import_orders--80213f9"), true],
      ["render_report", id("render_report--a55ec1e"), id("render_report--80213f9"), false],
    ]);
    const io = report.comparisons[0]!;
    expect(io.peak.deltaPct).toBeCloseTo(40.47, 1);
    expect(io.callSitesFrom).toBe("diff");
    expect(io.callSites.length).toBeGreaterThan(0);
    // The call sites explain the change: ordered by the size of their change.
    const deltas = io.callSites.map((s) => Math.abs(s.deltaBytes));
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
  });

  test("branch selectors: the newest run of each benchmark", async () => {
    const r = await run(id("import_orders--a55ec1e"), "branch:main", "--content", content, "--format", "json");
    const report = JSON.parse(r.out) as CompareReport;
    expect(report.comparisons.map((c) => c.head.id).sort()).toEqual([id("import_orders--8f1c376"), id("render_report--8f1c376")]);
    // render_report has no base in a single import_orders run.
    expect(report.comparisons.find((c) => c.series === "render_report")!.base).toBeNull();
  });

  test("capture files as arguments, without any ledger", async () => {
    const r = await run(join(CAPTURES, "import_orders--a55ec1e.bin"), join(CAPTURES, "import_orders--80213f9.bin"), "--content", join(root, "nothing"), "--fail-above", "10", "--format", "text");
    expect(r.status).toBe(1);
    expect(r.out).toContain("import_orders: peak 87.2 MB +25.1 MB (+40.5%)");
    expect(r.out).not.toContain(CAPTURES);
    expect(r.out).toContain("regression: the check fails");
    const md = await run(join(CAPTURES, "import_orders--a55ec1e.bin"), join(CAPTURES, "import_orders--80213f9.bin"), ...SITE);
    // No ledger, so no page to link to; capture files are named, their paths are not published.
    expect(md.out).not.toContain("https://acme.example");
    expect(md.out).toContain("memory of import_orders--80213f9.bin against import_orders--a55ec1e.bin");
    expect(md.out).not.toContain(CAPTURES);
  });

  test("capture files compare, in memory, as the same captures ingested: same figures and call sites", async () => {
    const figures = (out: string) => {
      const [c] = (JSON.parse(out) as { comparisons: Array<Record<string, unknown>> }).comparisons;
      const { base: _base, head: _head, ...rest } = c!;
      return rest;
    };
    const files = await run(join(CAPTURES, "import_orders--a55ec1e.bin"), join(CAPTURES, "import_orders--80213f9.bin"), "--content", join(root, "nothing"), "--format", "json");
    const runs = await run(id("import_orders--a55ec1e"), id("import_orders--80213f9"), "--content", content, "--format", "json");
    expect(figures(files.out)).toEqual(figures(runs.out));
    expect(figures(files.out).callSitesFrom).toBe("diff");
  });

  test("a run without a base, and runs with different settings, say so in a sentence", async () => {
    const r = await run(join(CAPTURES, "import_orders--f362419.bin"), join(CAPTURES, "import_orders--f362419--native.bin"), "--fail-above", "1", "--min-bytes", "0");
    expect(r.status).toBe(0);
    expect(r.out).toContain("native traces: off → on");
    expect(r.out).toContain("no regression is reported");
  });
});

describe("markdown escaping", () => {
  test("function names, files and messages with backticks, pipes and HTML stay text", () => {
    const hostile = "a`b|c<script>alert(1)</script>";
    const report: CompareReport = {
      base: "x",
      head: "y",
      rule: { failAbovePct: 10, minBytes: 1 << 20 },
      gate: false,
      failed: false,
      comparisons: [
        {
          series: "bench|<img src=x onerror=alert(1)>",
          base: { id: "b", benchmark: "bench", branch: null, commit: null, message: null, inLedger: false },
          baseKind: null,
          baselineWindow: null,
          head: { id: "h", benchmark: "bench", branch: null, commit: null, message: `*${hostile}*`, inLedger: false },
          settingsDifferences: [],
          peak: { base: 1, head: 2, deltaBytes: 1, deltaPct: 100 },
          leaked: { base: 1, head: 1, deltaBytes: 0, deltaPct: 0 },
          allocations: { base: 1, head: 1, deltaBytes: 0, deltaPct: 0 },
          regression: false,
          drift: null,
          callSites: [{ function: hostile, filename: `${hostile}.py`, lineno: 1, baseBytes: 0, headBytes: 10, baseCount: 0, headCount: 1, deltaBytes: 10 }],
          callSitesFrom: "diff",
          notes: [],
        },
      ],
    };
    const md = renderMarkdown(report);
    // Outside code spans (where GitHub shows HTML as text) every "<" is escaped; the marker and
    // the <details> folds are the only raw HTML, and a fold's summary is HTML-escaped.
    expect(md).toContain("<summary>bench|&#60;img src=x onerror=alert(1)&#62;: larger");
    const outsideCode = md
      .replace(COMMENT_MARKER, "")
      .replace(/<\/?details>|<\/?summary>/g, "")
      .replace(/``[^\n]*?``|`[^`\n]*`/g, "");
    expect(outsideCode).not.toMatch(/(?<!\\)</);
    expect(outsideCode).toContain("\\<img");
    // Every table row keeps its column count: no unescaped pipe splits a cell.
    for (const line of md.split("\n").filter((l) => l.startsWith("|"))) {
      const cells = line.replace(/\\\|/g, "").split("|").length - 2;
      expect([8, 4]).toContain(cells);
    }
    // The backtick inside the code span does not end it.
    expect(md).toMatch(/``a`b\\\|c<script>alert\(1\)<\/script>``|`` a`b/);
  });
});
