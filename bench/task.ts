/**
 * One benchmark task in a fresh process, so its peak RSS is its own:
 *   node bench/task.ts decode|read|stats|analyze|ingest CAPTURE
 * Prints one JSON line: { task, ms, maxRssKiB, records }.
 *
 *   decode   read the file and undo LZ4 only (the floor any reader of this file pays)
 *   read     decode every record (no analysis)
 *   stats    heaptrail stats (the figures, not printed)
 *   analyze  every view from one pass (peak, leaks, temporary, temporal, trees, stats)
 *   ingest   what `heaptrail ingest` does per capture: analyse and write the run's entry and
 *            data files (into a scratch content folder, removed after)
 */
import { mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Lz4FrameDecoder } from "../src/reader/lz4.ts";
import { readCaptureFile } from "../src/reader/index.ts";
import { collectStats } from "../src/analysis/collect-stats.ts";

const [task, path] = process.argv.slice(2) as [string, string];
const t0 = performance.now();
let records = 0;
if (task === "decode") {
  const lz4 = new Lz4FrameDecoder((bytes) => void (records += bytes.length));
  const fd = openSync(path, "r");
  const chunk = new Uint8Array(1 << 20);
  let position = 0;
  for (let n; (n = readSync(fd, chunk, 0, chunk.length, position)) > 0; position += n) lz4.push(chunk.subarray(0, n));
  lz4.end();
} else if (task === "read") {
  records = readCaptureFile(path, {}).summary.nRecords;
} else if (task === "stats") {
  records = collectStats(path).read.nRecords;
} else if (task === "analyze") {
  const { analyzeCapture } = await import("../src/analysis/analyze.ts");
  records = (await analyzeCapture(path)).read.nRecords;
} else if (task === "ingest") {
  const { ingestJob } = await import("../src/content/ingest-job.ts");
  const contentDir = mkdtempSync(join(tmpdir(), "heaptrail-bench-"));
  try {
    const result = ingestJob({
      capturePath: path,
      write: { runId: "bench", captureHash: "0".repeat(64), meta: { benchmark: "bench" }, fileName: basename(path), contentDir },
    });
    if (result.outcome !== "written") throw new Error(`ingest failed: ${result.error}`);
  } finally {
    rmSync(contentDir, { recursive: true, force: true });
  }
} else {
  throw new Error(`unknown task ${task}`);
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ task, ms, maxRssKiB: process.resourceUsage().maxRSS, records }));
