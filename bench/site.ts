/**
 * Site-scale benchmark (not a test): a ledger of BENCHMARKS × COMMITS runs (default 200 × 50 =
 * 10,000) made from the repository's captures/ under synthetic metadata, then
 *   - the full build (retention + Astro) over the whole ledger,
 *   - ingest-and-build after one more commit (BENCHMARKS new captures, analysed on the pool),
 *   - the largest HTML page, the index's transfer size (gzip), the site's and ledger's size.
 *
 *   node bench/site.ts            # or: npm run bench:site
 *   BENCH_SITE_BENCHMARKS=2 BENCH_SITE_COMMITS=50 node bench/site.ts   # 100 runs, to compare
 *
 * BENCH_SITE_CONTENT_ONLY=1 skips Astro (ledger, ingest and retention only).
 *
 * Each distinct capture is analysed once; its runs are written with `ingestAnalysis`, which
 * writes exactly what ingesting the capture under that metadata writes. BENCH_SITE_KEEP=1 keeps
 * the folder (printed) for inspection.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import type { RunAnalysis } from "../src/analysis/model.ts";
import { buildSite } from "../src/cli/build-site.ts";
import { buildContent, ingestAnalysis } from "../src/content/ingest.ts";
import { applyRetention, DEFAULT_KEEP_FULL, listRuns } from "../src/content/retention.ts";

const BENCHMARKS = Number(process.env.BENCH_SITE_BENCHMARKS ?? 200);
const COMMITS = Number(process.env.BENCH_SITE_COMMITS ?? 50);
const KEEP_FULL = Number(process.env.BENCH_SITE_KEEP_FULL ?? DEFAULT_KEEP_FULL);
const CONTENT_ONLY = !!process.env.BENCH_SITE_CONTENT_ONLY;
const CAPTURES = join(import.meta.dirname, "..", "captures");
const T0 = Date.UTC(2026, 0, 1);

const sha = (text: string): string => createHash("sha256").update(text).digest("hex");
const commitSha = (c: number): string => sha(`commit ${c}`).slice(0, 40);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream;

/** Synthetic metadata of benchmark b at commit c: one branch, one commit an hour. */
function meta(b: number, c: number) {
  return {
    benchmark: `bench_${String(b).padStart(3, "0")}`,
    branch: "main",
    commit: commitSha(c),
    timestamp: new Date(T0 + c * 3_600_000).toISOString(),
    message: `Synthetic commit ${c}`,
    author: "Bench",
  };
}

function walk(dir: string, visit: (path: string, size: number) => void): void {
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) walk(p, visit);
    else visit(p, statSync(p).size);
  }
}

const root = mkdtempSync(join(tmpdir(), "heaptrail-site-bench-"));
try {
  const contentDir = join(root, "content");
  const outDir = join(root, "dist");
  const captures = readdirSync(CAPTURES).filter((f) => f.endsWith(".bin")).sort();

  // 1. The ledger: each distinct capture analysed once, its runs written under synthetic meta.
  let t = performance.now();
  const analyses: Array<{ fileName: string; analysis: RunAnalysis; captureHash: string; size: number }> = captures.map((f) => {
    const path = join(CAPTURES, f);
    return { fileName: f, analysis: analyzeCapture(path), captureHash: createHash("sha256").update(readFileSync(path)).digest("hex"), size: statSync(path).size };
  });
  for (let c = 0; c < COMMITS; c++) {
    for (let b = 0; b < BENCHMARKS; b++) {
      const a = analyses[(b + c) % analyses.length]!;
      ingestAnalysis(a.analysis, { captureHash: a.captureHash, fileName: a.fileName, meta: meta(b, c), contentDir, noSource: true, fileSizeBytes: a.size });
    }
    // What each commit's CI build would do; keeps the folder to the retained size as it grows.
    if (c >= KEEP_FULL && c % 10 === 9) applyRetention(contentDir, KEEP_FULL);
  }
  const ledgerMs = performance.now() - t;
  const runs = listRuns(contentDir).length;

  // 2. The full build over the ledger (no captures).
  const empty = join(root, "no-captures");
  mkdirSync(empty);
  t = performance.now();
  const full = CONTENT_ONLY
    ? await buildContent({ capturesDir: empty, contentDir, env: {}, cwd: root, keepFull: KEEP_FULL })
    : await buildSite({ capturesDir: empty, contentDir, outDir, env: {}, cwd: root, log: quiet, keepFull: KEEP_FULL });
  const fullMs = performance.now() - t;
  if (full.status !== 0) throw new Error("full build failed");

  // 3. One more commit: BENCHMARKS captures with meta files, ingested (analysed) and built.
  const next = join(root, "captures");
  mkdirSync(next);
  for (let b = 0; b < BENCHMARKS; b++) {
    const a = analyses[(b + COMMITS) % analyses.length]!;
    const name = `bench_${String(b).padStart(3, "0")}--${commitSha(COMMITS).slice(0, 7)}`;
    copyFileSync(join(CAPTURES, a.fileName), join(next, `${name}.bin`));
    writeFileSync(join(next, `${name}.meta.json`), JSON.stringify(meta(b, COMMITS)));
  }
  t = performance.now();
  const more = CONTENT_ONLY
    ? await buildContent({ capturesDir: next, contentDir, env: {}, cwd: root, keepFull: KEEP_FULL, noSource: true })
    : await buildSite({ capturesDir: next, contentDir, outDir, env: {}, cwd: root, log: quiet, keepFull: KEEP_FULL, noSource: true });
  const moreMs = performance.now() - t;
  if (more.status !== 0) throw new Error("incremental build failed");

  // 4. Sizes.
  let ledgerBytes = 0;
  walk(contentDir, (p, size) => {
    if (!p.includes(".astro-cache")) ledgerBytes += size;
  });
  const what = CONTENT_ONLY ? "(content only) " : "";
  console.log(`ledger             ${runs.toLocaleString("en-US")} runs (${BENCHMARKS} benchmarks × ${COMMITS} commits, --keep-full ${KEEP_FULL}), written in ${seconds(ledgerMs)} from ${captures.length} captures`);
  console.log(`full build         ${seconds(fullMs)} ${what}(target ≤ 300 s)`);
  console.log(`one more commit    ${seconds(moreMs)} for ${BENCHMARKS} new captures, ingest + build ${what}(target ≤ 300 s)`);
  console.log(`ledger size        ${mb(ledgerBytes)} (${listRuns(contentDir).filter((r) => !r.dataPruned).length} runs with full data)`);
  if (!CONTENT_ONLY) {
    let siteBytes = 0;
    let largest = { path: "", size: 0 };
    let htmlPages = 0;
    walk(outDir, (p, size) => {
      siteBytes += size;
      if (p.endsWith(".html")) {
        htmlPages++;
        if (size > largest.size) largest = { path: p.slice(outDir.length), size };
      }
    });
    const index = readFileSync(join(outDir, "index.html"));
    console.log(`largest HTML page  ${largest.size.toLocaleString("en-US")} bytes (${largest.path}); ${htmlPages.toLocaleString("en-US")} pages`);
    console.log(`index transfer     ${gzipSync(index).length.toLocaleString("en-US")} bytes gzip, ${index.length.toLocaleString("en-US")} raw (target ≤ 300 KB)`);
    console.log(`site total         ${mb(siteBytes)} (target < 1 GB)`);
  }
} finally {
  if (process.env.BENCH_SITE_KEEP) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
