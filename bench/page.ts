/**
 * Page benchmark (not a test): build the site for the big-tree bench capture, then measure in
 * headless Chromium what the run page transfers (gzip, as a static host serves it, and raw) and
 * how long until the flame graph is drawn. memray's own HTML for this capture: 3,806,268 bytes.
 *
 *   node bench/page.ts [capture.bin]
 *
 * BENCH_MIN_FRAME_FRACTION sets the build's --min-frame-fraction (default: the build's own).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { buildSite } from "../src/cli/build-site.ts";
import { generatedBenchDir } from "./generate.ts";
import { launch } from "../test/e2e/browser.ts";
import { serveStatic } from "../test/e2e/server.ts";

const shared = join(import.meta.dirname, "..", "..", "shared", "bench", "wide_tree.default.bin");
// A fresh clone has no ../shared: the generated wide tree stands in (bench/generate.ts).
const capture = process.argv[2] ?? (existsSync(shared) ? shared : join(generatedBenchDir(), "generated_wide_tree.bin"));
const MEMRAY_HTML_BYTES = 3_806_268;
const RUNS = 5;

const root = mkdtempSync(join(tmpdir(), "heaptrail-bench-"));
try {
  mkdirSync(join(root, "captures"));
  copyFileSync(capture, join(root, "captures", basename(capture)));
  const t0 = performance.now();
  const fraction = process.env.BENCH_MIN_FRAME_FRACTION;
  const result = await buildSite({
    capturesDir: join(root, "captures"),
    contentDir: join(root, "content"),
    outDir: join(root, "dist"),
    minFrameFraction: fraction === undefined ? undefined : Number(fraction),
  });
  const buildMs = performance.now() - t0;
  const runId = result.runs[0]!.runId;
  if (result.status !== 0) throw new Error(`build failed: ${JSON.stringify(result.runs)}`);

  const browser = await launch();
  const results: Array<{ gzipBytes: number; rawBytes: number; drawnMs: number; frames: number }> = [];
  for (const gzip of [true, false]) {
    const server = await serveStatic(join(root, "dist"), { gzip });
    for (let k = 0; k < (gzip ? RUNS : 1); k++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let bytes = 0;
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
        bytes += e.encodedDataLength;
      });
      await page.goto(`${server.url}/runs/${runId}/`);
      await page.locator(".flame svg g.frame").first().waitFor({ timeout: 30_000 });
      // Drawn: from navigation start to the frame after the page marked the graph in the DOM.
      const drawnMs = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const mark = performance.getEntriesByName("heaptrail:flame-drawn")[0];
            requestAnimationFrame(() => resolve(Math.round(mark ? mark.startTime : performance.now())));
          }),
      );
      await page.waitForLoadState("networkidle");
      const frames = await page.locator(".flame svg g.frame").count();
      if (gzip) results.push({ gzipBytes: bytes, rawBytes: 0, drawnMs, frames });
      else results[0]!.rawBytes = bytes;
      await context.close();
    }
    await server.close();
  }
  await browser.close();
  const drawn = results.map((r) => r.drawnMs).sort((a, b) => a - b);
  const first = results[0]!;
  const entry = result.runs[0]!;
  console.log(`capture            ${basename(capture)} (${entry.outcome})`);
  console.log(`site build         ${Math.round(buildMs)} ms (analysis + content + astro)`);
  console.log(`run page transfer  ${first.gzipBytes.toLocaleString("en-US")} bytes gzip, ${first.rawBytes.toLocaleString("en-US")} bytes uncompressed`);
  console.log(`vs memray HTML     ${MEMRAY_HTML_BYTES.toLocaleString("en-US")} bytes: ${((100 * first.gzipBytes) / MEMRAY_HTML_BYTES).toFixed(1)}% gzip, ${((100 * first.rawBytes) / MEMRAY_HTML_BYTES).toFixed(1)}% raw (target ≤ 10%)`);
  console.log(`flame graph drawn  median ${drawn[Math.floor(drawn.length / 2)]} ms, min ${drawn[0]} ms, max ${drawn[drawn.length - 1]} ms over ${RUNS} loads (target ≤ 1000 ms)`);
  console.log(`frames drawn       ${first.frames}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
