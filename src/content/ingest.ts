/**
 * The content stage: captures become run entries in the content folder, the history ledger
 * (`heaptrail ingest` ingests the files given; `heaptrail build` a captures folder, then applies
 * retention). After ingest the capture is never needed again. Each capture's metadata is resolved
 * (provenance.ts), its id derived from its bytes and that metadata, and a run already in the
 * ledger with the same inputs is left as it is (byte for byte). The captures are analysed on a
 * pool of worker threads whose memory is bounded (ingest-pool.ts).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import type { RunAnalysis } from "../analysis/model.ts";
import { failJob, ingestJob, type IngestJobResult } from "./ingest-job.ts";
import { defaultPoolBudgetBytes, runPool } from "./ingest-pool.ts";
import { canonicalMeta, gitInfo, githubActionsMeta, readMetaFile, resolveMeta, runIdFor } from "./provenance.ts";
import { applyRetention, DEFAULT_KEEP_FULL, listRuns, removeRuns, type LedgerRun } from "./retention.ts";
import type { OkRunEntry, RunMeta } from "./schema.ts";
import { readEntry } from "./ledger.ts";
import { sha256OfFile, shareRunData } from "./shared-data.ts";
import { isUpToDate, writeRun, type WriteRunOptions } from "./write.ts";

export type Analyze = (path: string) => Promise<RunAnalysis> | RunAnalysis;

export interface IngestOptions {
  /** The ledger. Default "content". */
  contentDir?: string;
  /** `--benchmark NAME`: the benchmark of every capture given. */
  benchmark?: string;
  /** `--meta KEY=VALUE` flags, merged: above every other source. */
  meta?: RunMeta;
  /** Worker threads analysing captures. Default os.availableParallelism(); 1 analyses inline. */
  jobs?: number;
  /**
   * Memory the pool's analyses may take together, in bytes: a capture starts only while its
   * estimate fits beside the running ones, and one too large runs alone (ingest-pool.ts).
   * Default three quarters of the machine's memory (its cgroup limit in a container).
   */
  memoryBudgetBytes?: number;
  /** Keep source lines out of the site. */
  noSource?: boolean;
  /**
   * Flame frames narrower than this fraction of the root merge into one "smaller frames" node
   * per parent (their bytes are kept). Default DEFAULT_MIN_FRAME_FRACTION (1/2000); larger
   * values make smaller, faster pages with less detail when zoomed.
   */
  minFrameFraction?: number;
  /** Re-analyse even when the run is up to date. */
  force?: boolean;
  /** Symbolize native captures' frames with this machine's ELF files. Default true. */
  symbols?: boolean;
  /** The CI environment read for metadata. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Working directory: git is asked here, source files are looked up here. Default process.cwd(). */
  cwd?: string;
  /** Ask git for metadata. Default true. */
  git?: boolean;
  /**
   * `heaptrail build`'s scan of captures/: a capture already in the ledger (same bytes, same
   * file name) keeps the metadata it was ingested with (its meta file still overrides), so a
   * later commit in the working directory does not make it a new run.
   */
  keepRecordedMeta?: boolean;
  /** Each run's memory budget in bytes by benchmark (`--budget`, budgets.ts), kept as `meta.budget`; null leaves the meta's own. */
  budgetFor?: (benchmark: string) => number | null;
  /** The analysis (tests inject fixtures); analyses inline, on this thread. */
  analyze?: Analyze;
  /** Progress events; the command decides how to show them. Default: none. */
  onEvent?: (event: ContentEvent) => void;
}

/** What the content stage reports as it goes (ingest and build). */
export type ContentEvent =
  | { kind: "start"; total: number }
  | { kind: "run"; fileName: string; runId: string; outcome: "written" | "unchanged" | "failed"; timeMs?: number; error?: string }
  | { kind: "warning"; message: string }
  | { kind: "note"; message: string };

export interface IngestedRun {
  runId: string;
  fileName: string;
  outcome: "written" | "unchanged" | "failed";
  error?: string;
}

interface Planned {
  path: string;
  write: WriteRunOptions;
  /** Older runs of the same capture file to drop once this one is written (keepRecordedMeta). */
  replaces: string[];
  symbols: boolean;
}

/** Ingest captures into the ledger. Results are in the order of `paths`. */
export async function ingestCaptures(paths: readonly string[], options: IngestOptions = {}): Promise<IngestedRun[]> {
  const contentDir = resolve(options.contentDir ?? "content");
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const emit = options.onEvent ?? (() => {});
  const ci = githubActionsMeta(env);
  const git = options.git === false ? null : gitInfo(cwd);
  const recorded = options.keepRecordedMeta ? recordedRuns(contentDir) : new Map<string, LedgerRun[]>();

  emit({ kind: "start", total: paths.length });
  const results: IngestedRun[] = [];
  const planned = new Map<number, Planned>();
  const seen = new Map<string, number>();
  const twins: Array<[number, number]> = [];
  for (const [i, given] of paths.entries()) {
    const path = resolve(given);
    const fileName = basename(path);
    const captureHash = sha256OfFile(path);
    const file = readMetaFile(path, (message) => emit({ kind: "warning", message }));
    const previous = recorded.get(`${captureHash}\0${fileName}`) ?? [];
    const stored = previous.length > 0 ? readEntry(contentDir, previous[0]!.id) : null;
    const resolved = stored
      ? canonicalMeta({ ...stored.meta, ...canonicalMeta(options.meta ?? {}), ...canonicalMeta(file), ...(options.benchmark ? { benchmark: options.benchmark } : {}) })
      : resolveMeta({ flags: options.meta, benchmark: options.benchmark, file, ci, git, fileName });
    const budget = options.budgetFor?.(resolved.benchmark ?? "") ?? null;
    const meta = budget === null ? resolved : canonicalMeta({ ...resolved, budget });
    const runId = runIdFor(captureHash, meta);
    results.push({ runId, fileName, outcome: "unchanged" });
    const twin = seen.get(runId);
    if (twin !== undefined) {
      // The same capture under the same metadata, given twice: one run (its outcome copied at the end).
      twins.push([i, twin]);
      continue;
    }
    seen.set(runId, i);
    const existing = readEntry(contentDir, runId);
    if (existing && existing.captureHash !== captureHash) {
      const error = `run id ${runId} is taken by another capture (${existing.fileName}): not ingested`;
      results[i] = { runId, fileName, outcome: "failed", error };
      emit({ kind: "run", fileName, runId, outcome: "failed", error });
      continue;
    }
    const write: WriteRunOptions = {
      runId,
      captureHash,
      meta,
      fileName,
      contentDir,
      noSource: options.noSource,
      minFrameFraction: options.minFrameFraction,
      // Relative frame file names are looked up beside the capture, then in the working directory.
      sourceRoots: [dirname(path), cwd],
      fileSizeBytes: statSync(path).size,
    };
    // One earlier run of this capture file whose meta file changed since: this run replaces it.
    // (Several are the same capture ingested under several metadata on purpose: all stay.)
    const replaces = previous.length === 1 && previous[0]!.id !== runId ? [previous[0]!.id] : [];
    if (!options.force && isUpToDate(contentDir, write)) {
      if (replaces.length > 0) removeRuns(contentDir, { ids: replaces });
      emit({ kind: "run", fileName, runId, outcome: "unchanged" });
      continue;
    }
    planned.set(i, { path, write, replaces, symbols: options.symbols ?? true });
  }

  const finish = (i: number, job: Planned, r: IngestJobResult): void => {
    results[i] = { runId: job.write.runId, fileName: job.write.fileName!, outcome: r.outcome, ...(r.error !== undefined ? { error: r.error } : {}) };
    if (job.replaces.length > 0) removeRuns(contentDir, { ids: job.replaces });
    // Byte-identical data (an unchanged test) is kept once: shared-data.ts.
    if (r.outcome === "written") shareRunData(contentDir, job.write.runId);
    // A killed process leaves a capture without its trailer: say so even on a terminal.
    const fileName = job.write.fileName!;
    if (r.incomplete !== undefined) emit({ kind: "warning", message: `${fileName}: incomplete capture (${r.incomplete})` });
    emit({ kind: "run", fileName, runId: job.write.runId, outcome: r.outcome, timeMs: r.ms, ...(r.error !== undefined ? { error: r.error } : {}) });
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), planned.size));
  if (options.analyze || jobs <= 1) {
    for (const [i, job] of planned) finish(i, job, await ingestInline(job, options.analyze));
  } else {
    const pool = [...planned].map(([i, job]) => ({
      i,
      planned: job,
      // Workers that fill the cores decode on their own thread (see IngestJob.decodeThread).
      job: { capturePath: job.path, write: job.write, symbols: job.symbols, decodeThread: jobs < availableParallelism() },
      sizeBytes: job.write.fileSizeBytes ?? 0,
    }));
    await runPool(pool, {
      size: jobs,
      budgetBytes: options.memoryBudgetBytes ?? defaultPoolBudgetBytes(),
      done: (p, r) => finish(p.i, p.planned, r),
    });
  }
  for (const [i, twin] of twins) results[i] = { ...results[twin]!, fileName: results[i]!.fileName };
  return results;
}

async function ingestInline(job: Planned, analyze: Analyze | undefined): Promise<IngestJobResult> {
  const ingest = { capturePath: job.path, write: job.write, symbols: job.symbols };
  if (!analyze) return ingestJob(ingest);
  const t0 = performance.now();
  try {
    writeRun(await analyze(job.path), job.write);
    return { outcome: "written", ms: performance.now() - t0 };
  } catch (e) {
    return failJob(ingest, e, t0);
  }
}

/** Runs of the ledger by capture hash and file name (keepRecordedMeta). */
function recordedRuns(contentDir: string): Map<string, LedgerRun[]> {
  const map = new Map<string, LedgerRun[]>();
  if (!existsSync(contentDir)) return map;
  for (const run of listRuns(contentDir)) {
    const key = `${run.captureHash}\0${run.fileName}`;
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(run);
  }
  return map;
}

/**
 * Write a run from an analysis already made, under the given (resolved) metadata: the id and
 * entry are exactly what ingesting the capture under that metadata writes. For tools that write
 * many runs of one capture (bench/site.ts); `meta.benchmark` should be set.
 */
export function ingestAnalysis(
  analysis: RunAnalysis,
  options: Omit<WriteRunOptions, "runId"> & { fileName: string },
): OkRunEntry {
  const meta = canonicalMeta({ ...options.meta, benchmark: options.meta.benchmark || undefined });
  const resolved = resolveMeta({ flags: meta, fileName: options.fileName });
  return writeRun(analysis, { ...options, meta: resolved, runId: runIdFor(options.captureHash, resolved) });
}

/** `heaptrail build`'s content stage: the ingest options, less what it sets itself, plus the folder. */
export interface BuildContentOptions extends Omit<IngestOptions, "keepRecordedMeta"> {
  /** Folder of `*.bin` captures (each optionally with `<name>.meta.json`). Default "captures". */
  capturesDir?: string;
  /** Full flame data kept for the newest N runs of each benchmark and branch. Default DEFAULT_KEEP_FULL. */
  keepFull?: number;
}

export interface BuildContentResult {
  /** 0 when every capture built, 1 when any failed. */
  status: 0 | 1;
  runs: IngestedRun[];
}

/**
 * Ingest the captures folder into the ledger (unchanged captures are skipped; a capture already
 * in the ledger keeps its recorded metadata), then apply retention. Runs whose capture is gone
 * stay. A capture that fails gets a "failed" entry; the others still build. The lock around a
 * build, Astro and the progress display belong to the command (src/cli/build-site.ts).
 */
export async function buildContent(options: BuildContentOptions = {}): Promise<BuildContentResult> {
  const { capturesDir: capturesOption, keepFull: keepFullOption, ...ingest } = options;
  const capturesDir = resolve(capturesOption ?? "captures");
  const contentDir = resolve(options.contentDir ?? "content");
  const captures = existsSync(capturesDir)
    ? readdirSync(capturesDir).filter((f) => f.toLowerCase().endsWith(".bin")).sort()
    : [];
  const runs = await ingestCaptures(captures.map((f) => join(capturesDir, f)), { ...ingest, contentDir, keepRecordedMeta: true });
  const keepFull = keepFullOption ?? DEFAULT_KEEP_FULL;
  const retention = applyRetention(contentDir, keepFull);
  if (retention.pruned.length > 0) {
    options.onEvent?.({ kind: "note", message: `retention: full data of ${retention.pruned.length} older runs dropped (--keep-full ${keepFull})` });
  }
  return { status: runs.some((r) => r.outcome === "failed") ? 1 : 0, runs };
}
