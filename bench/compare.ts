/**
 * Compare benchmark (not a test): time to diff two runs of a large capture, and the compare
 * page's transfer size and time to draw in headless Chromium.
 *
 *   node bench/compare.ts
 *
 * The two runs are generated with the test capture writer (a wide tree like ../shared/bench's
 * wide_tree.py: 3,000 functions, 6,000 random walks 6-30 calls deep, one live allocation at each
 * walk's end; the head run grows a fifth of the walks, drops some and adds new ones), so the
 * benchmark works from a fresh clone. When ../shared/bench/wide_tree.default.bin is there, the
 * diff of that capture's tree with itself (the same matching work) is timed too.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { viewTree } from "../src/analysis/analyze.ts";
import { collectCapture } from "../src/analysis/collect.ts";
import type { FlameColumns } from "../src/analysis/model.ts";
import { buildSite } from "../src/cli/build-site.ts";
import { decodeTree, encodeTree } from "../src/content/columnar.ts";
import { diffTrees, treeDataSource } from "../src/content/diff.ts";
import { DEFAULT_MIN_FRAME_FRACTION } from "../src/content/shapes.ts";
import { launch } from "../test/e2e/browser.ts";
import { serveStatic } from "../test/e2e/server.ts";
import { CaptureWriter } from "../test/helpers/capture-writer.ts";
import { seededRandom } from "../test/helpers/random.ts";

const RUNS = 5;
const FUNCTIONS = 3000;
const WALKS = 6000;
const SHARED = join(process.env.HEAPTRAIL_BENCH_DIR ?? join(import.meta.dirname, "..", "..", "shared", "bench"), "wide_tree.default.bin");

const rng = seededRandom;

/** A wide-tree capture; `head` changes a fifth of the walks' sizes, drops 5% and adds 5% new ones. */
function wideTree(head: boolean): Uint8Array {
  const w = new CaptureWriter({ commandLine: `python wide_tree.py ${WALKS}` });
  for (let f = 1; f <= FUNCTIONS; f++) w.codeObject(f, `fn_${f}`, `/src/gen/mod_${String(Math.floor(f / 10)).padStart(3, "0")}.py`, (f % 10) * 7 + 1);
  const children: number[][] = [];
  const shape = rng(1729);
  for (let f = 1; f <= FUNCTIONS; f++) {
    const n = 2 + Math.floor(shape() * 5);
    children[f] = Array.from({ length: n }, () => 1 + Math.floor(shape() * FUNCTIONS));
  }
  const walks = rng(42);
  const change = rng(7);
  let address = 0x100000;
  const walk = (r: () => number, scale: number) => {
    let f = 1 + Math.floor(r() * 8);
    const depth = 6 + Math.floor(r() * 25);
    w.push(f);
    for (let d = 1; d < depth; d++) {
      f = children[f]![Math.floor(r() * children[f]!.length)]!;
      w.push(f);
    }
    const size = Math.round((600 + Math.floor(r() * 3550)) * scale);
    if (size > 0) w.allocation((address += 8192), size);
    w.pop(depth);
  };
  w.contextSwitch(1);
  for (let k = 0; k < WALKS; k++) {
    const c = change();
    // The walk's random numbers are drawn either way, so base and head share their other walks.
    walk(walks, head ? (c < 0.05 ? 0 : c < 0.25 ? 2.5 : 1) : 1);
  }
  if (head) {
    const fresh = rng(99);
    for (let k = 0; k < WALKS / 20; k++) walk(fresh, 1);
  }
  w.memory(100_000_000, 1000);
  return w.trailer().bytes();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface DiffTimes {
  /** Wall and CPU (user) time, ms, medians. */
  full: number;
  fullCpu: number;
  columnar: number;
  columnarCpu: number;
  fullNodes: number;
  columnarNodes: number;
}

function timeDiff(base: FlameColumns, head: FlameColumns): DiffTimes {
  const full: number[] = [];
  const columnar: number[] = [];
  const fullCpu: number[] = [];
  const columnarCpu: number[] = [];
  let fullNodes = 0;
  let columnarNodes = 0;
  const b = decodeTree(encodeTree(base, { minFrameFraction: DEFAULT_MIN_FRAME_FRACTION }));
  const h = decodeTree(encodeTree(head, { minFrameFraction: DEFAULT_MIN_FRAME_FRACTION }));
  // The full trees: written unpruned and decoded (the diff reads decoded columns only).
  const fullBase = treeDataSource(decodeTree(encodeTree(base, { minFrameFraction: 0 })));
  const fullHead = treeDataSource(decodeTree(encodeTree(head, { minFrameFraction: 0 })));
  for (let k = 0; k < RUNS; k++) {
    let t = performance.now();
    let c = process.cpuUsage();
    fullNodes = diffTrees(fullBase, fullHead).size;
    full.push(performance.now() - t);
    fullCpu.push(process.cpuUsage(c).user / 1000);
    t = performance.now();
    c = process.cpuUsage();
    columnarNodes = diffTrees(treeDataSource(b), treeDataSource(h)).size;
    columnar.push(performance.now() - t);
    columnarCpu.push(process.cpuUsage(c).user / 1000);
  }
  return { full: median(full), fullCpu: median(fullCpu), columnar: median(columnar), columnarCpu: median(columnarCpu), fullNodes, columnarNodes };
}

const root = mkdtempSync(join(tmpdir(), "heaptrail-bench-compare-"));
try {
  const captures = join(root, "captures");
  mkdirSync(captures);
  const stamps = ["2026-11-20T09:00:00Z", "2026-11-21T09:00:00Z"];
  for (const [k, side] of (["base", "head"] as const).entries()) {
    writeFileSync(join(captures, `wide--${side}.bin`), wideTree(side === "head"));
    writeFileSync(join(captures, `wide--${side}.meta.json`), JSON.stringify({ benchmark: "wide", branch: "main", commit: `${k}`.repeat(40), timestamp: stamps[k] }));
  }
  const peakOf = (path: string) => viewTree(collectCapture(path), "peak", { mergeThreads: true })!;
  const base = peakOf(join(captures, "wide--base.bin"));
  const head = peakOf(join(captures, "wide--head.bin"));
  const d = timeDiff(base, head);
  console.log(`generated wide tree  base ${base.valueBytes[0]!.toLocaleString("en-US")} B, head ${head.valueBytes[0]!.toLocaleString("en-US")} B at peak`);
  console.log(`machine load         ${loadavg()[0]!.toFixed(1)} (1-minute load average on ${cpus().length} cores)`);
  console.log(`diff, full trees     ${d.full.toFixed(1)} ms wall, ${d.fullCpu.toFixed(1)} ms CPU for ${d.fullNodes.toLocaleString("en-US")} merged nodes (decoded columns unpruned, median of ${RUNS})`);
  console.log(`diff, site data      ${d.columnar.toFixed(1)} ms wall, ${d.columnarCpu.toFixed(1)} ms CPU for ${d.columnarNodes.toLocaleString("en-US")} merged nodes (decoded columns pruned at 1/2000, as the page does)`);

  if (existsSync(SHARED)) {
    const t = peakOf(SHARED);
    const s = timeDiff(t, t);
    console.log(`wide_tree.default    ${s.full.toFixed(1)} ms wall, ${s.fullCpu.toFixed(1)} ms CPU for ${s.fullNodes.toLocaleString("en-US")} nodes (full, with itself); ${s.columnar.toFixed(1)} ms, ${s.columnarCpu.toFixed(1)} ms CPU for ${s.columnarNodes.toLocaleString("en-US")} (site data)`);
  }

  const t0 = performance.now();
  const result = await buildSite({ capturesDir: captures, contentDir: join(root, "content"), outDir: join(root, "dist"), env: {}, cwd: captures, log: { write: () => true } as never });
  if (result.status !== 0) throw new Error(`build failed: ${JSON.stringify(result.runs)}`);
  const buildMs = performance.now() - t0;
  const idOf = (side: string) => result.runs.find((r) => r.fileName === `wide--${side}.bin`)!.runId;
  const path = `/compare/${idOf("base")}/${idOf("head")}/`;
  if (!existsSync(join(root, "dist", path, "index.html"))) throw new Error(`no compare page at ${path}`);

  const browser = await launch();
  const samples: Array<{ bytes: number; drawnMs: number; loadedMs: number; frames: number }> = [];
  // The head's run page, loaded the same way: a reference under the same machine load.
  const runPageMs: number[] = [];
  let rawBytes = 0;
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
      await page.goto(`${server.url}${path}`);
      await page.locator("[data-testid=diff-flame] svg g.frame").first().waitFor({ timeout: 60_000 });
      const [drawnMs, loadedMs] = await page.evaluate(
        () =>
          new Promise<[number, number]>((resolve) => {
            const mark = performance.getEntriesByName("heaptrail:diff-drawn")[0];
            const loaded = performance.getEntriesByName("heaptrail:diff-loaded")[0];
            requestAnimationFrame(() => resolve([Math.round(mark ? mark.startTime : performance.now()), Math.round(loaded?.startTime ?? 0)]));
          }),
      );
      await page.waitForLoadState("networkidle");
      const frames = await page.locator("[data-testid=diff-flame] svg g.frame").count();
      if (gzip) samples.push({ bytes, drawnMs, loadedMs, frames });
      else rawBytes = bytes;
      if (gzip) {
        await page.goto(`${server.url}/runs/wide--head/`);
        await page.locator(".flame svg g.frame").first().waitFor({ timeout: 60_000 });
        runPageMs.push(
          await page.evaluate(
            () =>
              new Promise<number>((resolve) => {
                const mark = performance.getEntriesByName("heaptrail:flame-drawn")[0];
                requestAnimationFrame(() => resolve(Math.round(mark ? mark.startTime : performance.now())));
              }),
          ),
        );
      }
      await context.close();
    }
    await server.close();
  }
  await browser.close();
  console.log(`site build           ${Math.round(buildMs)} ms (two captures, analysis + content + astro)`);
  console.log(`compare page         ${samples[0]!.bytes.toLocaleString("en-US")} bytes gzip, ${rawBytes.toLocaleString("en-US")} bytes uncompressed (both runs' peak data + page)`);
  console.log(`diff drawn           median ${median(samples.map((s) => s.drawnMs))} ms from navigation (min ${Math.min(...samples.map((s) => s.drawnMs))}, max ${Math.max(...samples.map((s) => s.drawnMs))}, ${RUNS} loads), ${samples[0]!.frames.toLocaleString("en-US")} frames`);
  console.log(`data loaded          median ${median(samples.map((s) => s.loadedMs))} ms from navigation (both runs' peak trees fetched and decoded)`);
  console.log(`run page drawn       median ${median(runPageMs)} ms (the head's run page, same loads: a reference)`);
  console.log(`machine load         ${loadavg()[0]!.toFixed(1)} at the end`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
