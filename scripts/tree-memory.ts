/**
 * Peak memory of analysing and writing one capture with many distinct stacks (the flame trees'
 * share of ingest's memory):
 *   node --experimental-strip-types --no-warnings scripts/tree-memory.ts [STACKS]
 * Generates the capture (test capture writer; STACKS distinct leaf stacks, default 200 000,
 * each live at the peak, half freed before the end, a temporary allocation on each), then in
 * this process runs analyzeCapture + writeRun and prints the peak RSS and the heap after each.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import { writeRun } from "../src/content/write.ts";
import { CaptureWriter } from "../test/helpers/capture-writer.ts";

const stacks = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(join(tmpdir(), "heaptrail-tree-memory-"));
/** The capture's bytes (the writer is garbage once this returns). */
function generate(): Uint8Array {
  const w = new CaptureWriter({ commandLine: "python wide.py" });
  const fanout = Math.ceil(Math.cbrt(stacks));
  for (let id = 1; id <= 3 * fanout; id++) w.codeObject(id, `function_number_${id}`, `package/module_${id % 97}.py`, id);
  w.contextSwitch(1);
  let address = 0x10000;
  for (let s = 0; s < stacks; s++) {
    const path = [1 + (s % fanout), 1 + fanout + (Math.floor(s / fanout) % fanout), 1 + 2 * fanout + (Math.floor(s / fanout / fanout) % fanout)];
    for (const code of path) w.push(code, s % 5);
    w.allocation(address, 64 + (s % 1000));
    w.allocation(address + 8, 32);
    w.free(address + 8);
    address += 16;
    w.pop(path.length);
  }
  for (let s = 0; s < stacks; s += 2) w.free(0x10000 + 16 * s);
  return w.trailer().bytes();
}

try {
  const capture = join(dir, "wide.bin");
  writeFileSync(capture, generate());
  global.gc?.();
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  const before = process.memoryUsage();
  const t0 = performance.now();
  const analysis = analyzeCapture(capture);
  const heapAnalysis = process.memoryUsage().heapUsed;
  writeRun(analysis, { runId: "wide", captureHash: "0", meta: {}, contentDir: join(dir, "content"), noSource: true });
  const ms = performance.now() - t0;
  console.log(`${stacks} stacks: ${analysis.flame.peak!.size} peak nodes; analyse + write ${ms.toFixed(0)} ms`);
  console.log(`heap before ${mb(before.heapUsed)}, after the analysis ${mb(heapAnalysis)} (analysis result live), peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
