/**
 * `heaptrail stats [--json] [-n N] [-o FILE] CAPTURE`: memray's `stats`, for every header
 * version. `--json` prints `memray stats --json`'s keys and values; without it, a short summary.
 */
import { FileFormat, PYTHON_ALLOCATOR_NAMES, type CaptureHeader, type ReadOptions } from "../reader/index.ts";
import { collectStats, type StatsRun } from "../analysis/collect-stats.ts";
import { formatBytes } from "../shared/format.ts";
import { checkComplete, oneCapture, parseCommand, STRICT_OPTION, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

/** Read a capture once and compute its stats: the analysis' stats path (collect.ts). */
export function computeStats(path: string, topN = 5, readOptions: ReadOptions = {}): StatsRun {
  return collectStats(path, { topN, read: readOptions });
}

/**
 * Python's `str(datetime)` of a UTC timestamp, as memray writes it; null for a time no date
 * can hold (a corrupt header: Python's datetime stops at year 9999, JavaScript's at ±275760).
 */
export function pythonDatetime(ms: number): string | null {
  const date = new Date(ms);
  if (!Number.isFinite(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return null;
  const iso = date.toISOString(); // 2026-11-22T03:56:01.441Z
  const micro = ms % 1000 === 0 ? "" : `.${String(((ms % 1000) + 1000) % 1000).padStart(3, "0")}000`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${micro}+00:00`;
}

/** The object `memray stats --json` writes (memray 1.20 keys; modules only for header 13). */
export function memrayStatsJson(run: StatsRun): Record<string, unknown> {
  const { stats } = run;
  if (stats === null) throw new Error("aggregated captures have no stats");
  const json: Record<string, unknown> = {
    total_num_allocations: stats.totalNumAllocations,
    total_bytes_allocated: stats.totalBytesAllocated,
    allocation_size_histogram: stats.allocationSizeHistogram.map((b) => ({ min_bytes: b.minBytes, max_bytes: b.maxBytes, count: b.count })),
    allocator_type_distribution: Object.fromEntries(stats.allocatorTypeDistribution.map((a) => [a.allocator, a.count])),
    top_allocations_by_size: stats.topAllocationsBySize.map((l) => ({ location: l.location, size: l.sizeBytes })),
    top_allocations_by_count: stats.topAllocationsByCount.map((l) => ({ location: l.location, count: l.count })),
  };
  if (stats.topModulesBySize && stats.topModulesByCount) {
    const modules = new Map<string, { module: string; num_allocations: number; total_bytes: number }>();
    const entry = (module: string) => modules.get(module) ?? { module, num_allocations: 0, total_bytes: 0 };
    for (const m of stats.topModulesBySize) modules.set(m.module, { ...entry(m.module), total_bytes: m.sizeBytes });
    for (const m of stats.topModulesByCount) modules.set(m.module, { ...entry(m.module), num_allocations: m.count });
    json.top_modules_by_allocation_size = stats.topModulesBySize.map((m) => modules.get(m.module));
    json.top_modules_by_allocation_count = stats.topModulesByCount.map((m) => modules.get(m.module));
  }
  json.metadata = metadataJson(run);
  return json;
}

function metadataJson(run: StatsRun): Record<string, unknown> {
  const { header, read } = run;
  return {
    // null when the header holds no valid date (see pythonDatetime)
    start_time: pythonDatetime(header.startTimeMs),
    end_time: pythonDatetime(header.endTimeMs),
    // memray trusts the records it decoded, not the (possibly provisional) header count.
    total_allocations: header.fileFormat === FileFormat.ALL_ALLOCATIONS ? read.nAllocationRecords : header.nAllocations,
    total_frames: header.nFrames,
    peak_memory: run.peakMemoryBytes,
    command_line: header.commandLine,
    pid: header.pid,
    main_thread_id: header.mainTid,
    python_allocator: PYTHON_ALLOCATOR_NAMES[header.pythonAllocator] ?? "unknown",
    has_native_traces: header.nativeTraces,
    trace_python_allocators: header.tracePythonAllocators,
    file_format: header.fileFormat,
  };
}

/** A short human summary, sizes in human units. */
export function statsText(path: string, run: StatsRun): string {
  const { header, read, stats } = run;
  const lines: string[] = [];
  lines.push(`📏 ${path}: memray header version ${header.version}, ${header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS ? "aggregated" : "all allocations"}${read.compressed ? ", LZ4" : ""}`);
  lines.push(`   command line: ${header.commandLine}`);
  lines.push(`   peak memory: ${formatBytes(run.peakMemoryBytes)}`);
  if (!read.complete) lines.push(`   ⚠ incomplete capture: ${read.warning}`);
  if (stats === null) {
    lines.push(`   leaked at exit: ${formatBytes(run.leakedBytes ?? 0)}`);
    lines.push("   Aggregated capture (--aggregate): it keeps only per-location totals at the peak and at exit,");
    lines.push("   so allocation counts, the size histogram, allocators and top locations are not available.");
    return `${lines.join("\n")}\n`;
  }
  lines.push(`   total allocations: ${stats.totalNumAllocations}`);
  lines.push(`   total memory allocated: ${formatBytes(stats.totalBytesAllocated)}`);
  lines.push("", "📊 Allocation size histogram:");
  const widest = Math.max(1, ...stats.allocationSizeHistogram.map((b) => b.count));
  for (const bin of stats.allocationSizeHistogram) {
    const bar = "▇".repeat(Math.round((bin.count / widest) * 40));
    lines.push(`   ${`< ${formatBytes(bin.maxBytes + 1)}`.padStart(12)} : ${String(bin.count).padStart(9)} ${bar}`);
  }
  lines.push("", "📂 Allocator type distribution:");
  for (const a of stats.allocatorTypeDistribution) lines.push(`   ${a.allocator}: ${a.count}`);
  lines.push("", `🥇 Top ${stats.topAllocationsBySize.length} largest allocating locations (by size):`);
  for (const l of stats.topAllocationsBySize) lines.push(`   - ${l.location} -> ${formatBytes(l.sizeBytes)}`);
  lines.push("", `🥇 Top ${stats.topAllocationsByCount.length} largest allocating locations (by number of allocations):`);
  for (const l of stats.topAllocationsByCount) lines.push(`   - ${l.location} -> ${l.count}`);
  if (stats.topModulesBySize) {
    lines.push("", "📦 Top modules (by size):");
    for (const m of stats.topModulesBySize) lines.push(`   - ${m.module} -> ${formatBytes(m.sizeBytes)}`);
  }
  return `${lines.join("\n")}\n`;
}

const USAGE = "usage: heaptrail stats [--json] [-n N] [-o FILE] [--strict] CAPTURE\n";

/** Header times no date can show: a warning each (the JSON then has null there). */
function badTimes(header: CaptureHeader): string[] {
  const bad: string[] = [];
  for (const [name, ms] of [["start", header.startTimeMs], ["end", header.endTimeMs]] as const) {
    if (pythonDatetime(ms) === null) bad.push(`the header's ${name} time (${ms} ms since 1970) is not a valid date`);
  }
  return bad;
}

export async function runStats(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      description: "memray stats: allocation totals, the size histogram, allocator kinds and the top allocating locations and modules.",
      operands: [["CAPTURE", "a memray capture file (.bin), raw or LZ4, any header version"]],
      options: {
        json: { type: "boolean", default: false, help: "print memray stats --json's keys and values instead of a summary" },
        "num-largest": { type: "string", short: "n", default: "5", metavar: "N", help: "how many top locations and modules to list" },
        output: { type: "string", short: "o", metavar: "FILE", help: "write to FILE (atomically) instead of standard output", defaultText: "standard output" },
        force: { type: "boolean", short: "f", default: false, help: "overwrite FILE when it exists (memray's flag; heaptrail always replaces it atomically)" },
        ...STRICT_OPTION,
        // memray keys stats locations by Python frame even in native captures: nothing to symbolize.
        "no-symbols": { type: "boolean", help: "accepted as by the other commands; stats' locations are Python frames, as memray's" },
      },
    },
    USAGE,
  );
  const path = oneCapture(positionals, USAGE);
  const topN = Number(values["num-largest"]);
  if (!Number.isInteger(topN) || topN < 1) throw new UsageError("-n/--num-largest takes a whole number ≥ 1", USAGE);
  const run = computeStats(path, topN);
  checkComplete(path, run.read, values.strict, err);
  if (values.json) {
    for (const warning of badTimes(run.header)) err.write(`warning: ${path}: ${warning}\n`);
    if (run.stats === null) {
      // memray refuses; we say what the file has and what it lacks.
      const json = {
        metadata: metadataJson(run),
        leaked_bytes: run.leakedBytes,
        unavailable: ["total_num_allocations", "total_bytes_allocated", "allocation_size_histogram",
          "allocator_type_distribution", "top_allocations_by_size", "top_allocations_by_count"],
        reason: "aggregated capture (--aggregate): only per-location peak and leak totals are recorded",
      };
      await writeOutput(`${JSON.stringify(json, null, 2)}\n`, values.output, out);
      return 0;
    }
    await writeOutput(`${JSON.stringify(memrayStatsJson(run), null, 2)}\n`, values.output, out);
    return 0;
  }
  await writeOutput(statsText(path, run), values.output, out);
  return 0;
}


