/**
 * One benchmark task in a fresh process, so its peak RSS is its own:
 *   node bench/task.ts decode|read|analyze CAPTURE
 * Prints one JSON line: { task, ms, maxRssKiB, records }. bench/run.ts's stages (BENCH_STAGES);
 * `ingest` and `stats` it times as the real commands.
 *
 *   decode   read the file and undo LZ4 only (the floor any reader of this file pays)
 *   read     decode every record (no analysis)
 *   analyze  every view from one pass (peak, leaks, temporary, temporal, trees, stats)
 */
import { openSync, readSync } from "node:fs";
import { Lz4FrameDecoder } from "../src/reader/lz4.ts";
import { readCaptureFile } from "../src/reader/index.ts";

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
} else if (task === "analyze") {
  const { analyzeCapture } = await import("../src/analysis/analyze.ts");
  records = (await analyzeCapture(path)).read.nRecords;
} else {
  throw new Error(`unknown task ${task}`);
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ task, ms, maxRssKiB: process.resourceUsage().maxRSS, records }));
