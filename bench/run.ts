/**
 * `npm run bench`: the reader and the analysis on ../shared/bench's captures, side by side in
 * one run. Each task runs in its own process, rounds interleave the tasks so machine noise hits
 * them alike, and medians are reported. Ratios are what to compare; absolute times vary.
 *
 *   decode   read the file and undo LZ4 only (the floor)
 *   read     decode every record (no analysis)
 *   stats    heaptrail stats
 *   analyze  every view from one pass (peak, leaks, temporary, temporal, trees, stats)
 *
 * BENCH_ROUNDS (default 3) sets the rounds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = process.env.HEAPTRAIL_BENCH_DIR ?? join(here, "..", "..", "shared", "bench");
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const tasks = ["decode", "read", "stats", "analyze"] as const;
// memray 1.20.0 on the same kind of machine (../shared/bench/README.md, medians of 3).
const MEMRAY_STATS_S: Record<string, number> = { "json_churn.pyalloc.bin": 4.5, "wide_tree.default.bin": 0.33 };

interface Sample { ms: number; maxRssKiB: number; records: number }

function run(task: string, capture: string): Sample {
  const out = execFileSync(process.execPath, [join(here, "task.ts"), task, capture], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const name of ["json_churn.pyalloc.bin", "wide_tree.default.bin"]) {
  const capture = join(benchDir, name);
  if (!existsSync(capture)) {
    console.log(`${name}: not found in ${benchDir}, skipped`);
    continue;
  }
  const samples: Record<string, Sample[]> = Object.fromEntries(tasks.map((t) => [t, []]));
  for (let r = 0; r < rounds; r++) for (const task of tasks) samples[task]!.push(run(task, capture));
  const ms = (t: string) => median(samples[t]!.map((s) => s.ms));
  const rss = (t: string) => median(samples[t]!.map((s) => s.maxRssKiB));
  const records = samples.read![0]!.records;
  console.log(`\n${name}: ${(statSync(capture).size / 1e6).toFixed(1)} MB, ${records.toLocaleString("en")} records, ${rounds} rounds (medians)`);
  console.log("  task      time       records/s      peak RSS");
  for (const t of tasks) {
    console.log(`  ${t.padEnd(8)} ${(ms(t) / 1000).toFixed(3).padStart(7)} s ${(t === "decode" ? "" : `${((records / ms(t)) * 1000 / 1e6).toFixed(1)} M/s`).padStart(12)} ${(rss(t) / 1024).toFixed(0).padStart(9)} MiB`);
  }
  console.log(`  stats / decode-only:        ${(ms("stats") / ms("decode")).toFixed(2)}x   (target ≤ 2x)`);
  console.log(`  all views / stats:          ${(ms("analyze") / ms("stats")).toFixed(2)}x   (target ≤ 1.3x)`);
  const memray = MEMRAY_STATS_S[name];
  if (memray) console.log(`  memray 1.20 stats / heaptrail stats: ${(memray / (ms("stats") / 1000)).toFixed(1)}x faster (memray ${memray} s, from shared/bench/README.md)`);
}
