/**
 * Where one capture's time and memory go, stage by stage, in one process:
 *
 *   npm run bench:stages -- CAPTURE [--thread]
 *
 * After each stage (collect: the one read into the collectors; analyze: every view's trees;
 * write: the run's entry and data files) it prints the stage's time, the RSS, the heap before
 * and after a full GC (what the stage left garbage and what it keeps), ArrayBuffers (typed
 * columns) and the peak RSS so far. `--thread` decodes on the reader's worker thread, as large
 * files are by default. Run from a checkout, the sources' type stripping adds ~38 MB of RSS to
 * every figure; `heaptrail ingest` runs the compiled lib/ (npm run bench measures that).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCollected } from "../src/analysis/analyze.ts";
import { collectCapture } from "../src/analysis/collect.ts";
import { writeRun } from "../src/content/write.ts";

const [path, flag] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: node --expose-gc bench/stages.ts CAPTURE [--thread]");
const gc = (globalThis as { gc?: () => void }).gc;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0).padStart(6);
let t0 = performance.now();
function mark(stage: string): void {
  const before = process.memoryUsage();
  gc?.();
  const after = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `${stage.padEnd(8)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms  rss ${mib(before.rss)} MiB  heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB after gc  arrayBuffers ${mib(after.arrayBuffers)} MiB  peak rss ${mib(peak)} MiB`,
  );
  t0 = performance.now();
}
if (gc === undefined) console.log("(without --expose-gc: heap figures include garbage)");
mark("start");
const read = flag === "--thread" ? {} : { parallelFromBytes: Number.POSITIVE_INFINITY };
const capture = collectCapture(path, { temporaryAllocationThreshold: 1, stats: true, read });
mark("collect");
const run = analyzeCollected(capture);
mark("analyze");
const contentDir = mkdtempSync(join(tmpdir(), "heaptrail-stages-"));
try {
  writeRun(run, { runId: "stages", captureHash: "0".repeat(64), meta: { benchmark: "stages" }, fileName: "stages.bin", contentDir });
  mark("write");
} finally {
  rmSync(contentDir, { recursive: true, force: true });
}
