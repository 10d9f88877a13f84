/**
 * Suite-scale benchmark (not a test): a generated pytest-memray suite of TESTS tests (default
 * 1,000) over FILES test files (50), captured at two commits, ~1% of tests regressing at the
 * second (test/helpers/suite-captures.ts), then
 *   - ingest of each commit's captures (one process, the worker pool, a warm symbolizer),
 *   - the PR comment of commit 2 against commit 1: its length (≤ 65,536) and that it names
 *     every regressed test,
 *   - the site build (Astro), the index's transfer size (gzip, target ≤ 300 KB), the largest
 *     HTML page and the site's size.
 *
 *   node bench/suite.ts                      # or: npm run bench:suite
 *   BENCH_SUITE_TESTS=2000 node bench/suite.ts
 *   BENCH_SUITE_CONTENT_ONLY=1 node bench/suite.ts   # no Astro build
 *   BENCH_SUITE_KEEP=1 node bench/suite.ts           # keep the folder (printed)
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSite } from "../src/cli/build-site.ts";
import { MAX_COMMENT_CHARS, renderMarkdown } from "../src/content/comment.ts";
import { compareOperands } from "../src/content/compare-load.ts";
import { ingestCaptures } from "../src/content/ingest.ts";
import { benchmarkFromFileName } from "../src/content/provenance.ts";
import { pytestMemrayFileName } from "../test/helpers/pytest-memray-name.ts";
import { DEFAULT_FAIL_ABOVE_PCT, DEFAULT_MIN_BYTES } from "../src/shared/regression.ts";
import { regresses, suiteTestIds, writeSuiteCaptures } from "../test/helpers/suite-captures.ts";

const TESTS = Number(process.env.BENCH_SUITE_TESTS ?? 1000);
const FILES = Number(process.env.BENCH_SUITE_FILES ?? 50);
const CONTENT_ONLY = !!process.env.BENCH_SUITE_CONTENT_ONLY;
const spec = { tests: TESTS, files: FILES, regressEvery: 100 };
const sha = (c: number): string => createHash("sha256").update(`suite commit ${c}`).digest("hex").slice(0, 40);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream;

function walk(dir: string, visit: (path: string, size: number) => void): void {
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) walk(p, visit);
    else visit(p, statSync(p).size);
  }
}

const root = mkdtempSync(join(tmpdir(), "heaptrail-suite-bench-"));
try {
  const contentDir = join(root, "content");
  const ingestMs: number[] = [];
  const ledgerAfter: Array<{ bytes: number; files: number }> = [];
  for (const c of [0, 1]) {
    const dir = join(root, `captures-${c}`);
    const paths = writeSuiteCaptures(spec, c, dir);
    const t = performance.now();
    const runs = await ingestCaptures(paths, {
      contentDir,
      meta: { commit: sha(c), branch: "main", timestamp: new Date(Date.UTC(2026, 10, 22 + c)).toISOString(), message: `Suite commit ${c}` },
      env: {},
      git: false,
      noSource: true,
    });
    ingestMs.push(performance.now() - t);
    const failed = runs.filter((r) => r.outcome === "failed");
    if (failed.length > 0) throw new Error(`ingest failed: ${failed[0]!.error}`);
    const size = { bytes: 0, files: 0 };
    walk(contentDir, (_p, bytes) => {
      size.bytes += bytes;
      size.files++;
    });
    ledgerAfter.push(size);
  }
  const [one, two] = ledgerAfter as [{ bytes: number; files: number }, { bytes: number; files: number }];

  // The comment of commit 2 against commit 1.
  const ctx = { contentDir, ledger: null };
  const rule = { failAbovePct: DEFAULT_FAIL_ABOVE_PCT, minBytes: DEFAULT_MIN_BYTES };
  let t = performance.now();
  const result = await compareOperands(ctx, `commit:${sha(0)}`, `commit:${sha(1)}`, rule);
  const comparisons = result.comparisons;
  const report = { base: `commit:${sha(0).slice(0, 7)}`, head: `commit:${sha(1).slice(0, 7)}`, rule, gate: true, failed: comparisons.some((c) => c.regression), comparisons };
  const markdown = renderMarkdown(report, { siteUrl: "https://acme.github.io/app/" });
  const compareMs = performance.now() - t;
  // The names pytest-memray's files give them (a `/` in a parameter id became `-`).
  const ids = suiteTestIds(spec).map((id) => benchmarkFromFileName(pytestMemrayFileName("c1", id)));
  const regressed = ids.filter((_id, i) => regresses(spec, i, 1));
  const plain = markdown.replace(/\\([[\]_*])/g, "$1");
  const missing = regressed.filter((id) => !plain.includes(id));
  const found = comparisons.filter((c) => c.regression).length;

  console.log(`suite              ${TESTS.toLocaleString("en-US")} tests in ${FILES} files × 2 commits, ${regressed.length} regressing (pytest-memray names, aggregated captures)`);
  console.log(`ingest             ${seconds(ingestMs[0]!)} + ${seconds(ingestMs[1]!)} for ${(2 * TESTS).toLocaleString("en-US")} captures (${(ingestMs[0]! / TESTS).toFixed(1)} ms each; target ≤ 300 s for 2,000)`);
  console.log(
    `ledger             ${mb(two.bytes)} in ${two.files.toLocaleString("en-US")} files; the second commit added ${mb(two.bytes - one.bytes)} in ${(two.files - one.files).toLocaleString("en-US")} files (unchanged tests' data shared)`,
  );
  console.log(`comment            ${markdown.length.toLocaleString("en-US")} characters (limit 65,536; cap ${MAX_COMMENT_CHARS.toLocaleString("en-US")}), ${found} regressions found, ${regressed.length - missing.length}/${regressed.length} regressed tests named; compare + render ${seconds(compareMs)}`);
  if (missing.length > 0) console.log(`  not named: ${missing.slice(0, 5).join(", ")}`);

  if (!CONTENT_ONLY) {
    const outDir = join(root, "dist");
    const empty = join(root, "no-captures");
    mkdirSync(empty);
    t = performance.now();
    const built = await buildSite({ capturesDir: empty, contentDir, outDir, env: {}, cwd: root, log: quiet });
    const buildMs = performance.now() - t;
    if (built.status !== 0) throw new Error("site build failed");
    let siteBytes = 0;
    let htmlPages = 0;
    let largest = { path: "", size: 0 };
    walk(outDir, (p, size) => {
      siteBytes += size;
      if (p.endsWith(".html")) {
        htmlPages++;
        if (size > largest.size) largest = { path: p.slice(outDir.length), size };
      }
    });
    const index = readFileSync(join(outDir, "index.html"));
    console.log(`site build         ${seconds(buildMs)}, ${htmlPages.toLocaleString("en-US")} pages`);
    console.log(`index transfer     ${gzipSync(index).length.toLocaleString("en-US")} bytes gzip, ${index.length.toLocaleString("en-US")} raw (target ≤ 300 KB)`);
    console.log(`largest HTML page  ${largest.size.toLocaleString("en-US")} bytes (${largest.path})`);
    console.log(`site total         ${mb(siteBytes)}`);
  }
} finally {
  if (process.env.BENCH_SUITE_KEEP) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
