/**
 * The content stage of `heaptrail build`: ingest the captures in captures/ into the ledger
 * (content/; unchanged ones are skipped), then apply retention. Runs whose capture is gone stay.
 * A capture that fails gets a "failed" entry; the others still build. Running Astro, the lock
 * around a build and the progress display belong to the command (src/cli/site.ts).
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ingestCaptures, type Analyze, type ContentEvent, type IngestedRun } from "./ingest.ts";
import { applyRetention, DEFAULT_KEEP_FULL } from "./retention.ts";

export type { Analyze, ContentEvent } from "./ingest.ts";

export interface BuildContentOptions {
  /** Folder of `*.bin` captures (each optionally with `<name>.meta.json`). Default "captures". */
  capturesDir?: string;
  /** The ledger (entries + data files). Default "content". */
  contentDir?: string;
  /** Keep source lines out of the site. */
  noSource?: boolean;
  /**
   * Flame frames narrower than this fraction of the root merge into one "smaller frames" node
   * per parent (their bytes are kept). Default DEFAULT_MIN_FRAME_FRACTION (1/2000); larger
   * values make smaller, faster pages with less detail when zoomed.
   */
  minFrameFraction?: number;
  /** Re-analyse every capture even if unchanged. */
  force?: boolean;
  /** Symbolize native captures' frames with this machine's ELF files. Default true. */
  symbols?: boolean;
  /** The analysis to run; default: src/analysis's analyzeCapture on a worker pool. Tests inject fixtures. */
  analyze?: Analyze;
  /** Worker threads analysing captures; default os.availableParallelism(). */
  jobs?: number;
  /** Full flame data kept for the newest N runs of each benchmark and branch. Default DEFAULT_KEEP_FULL. */
  keepFull?: number;
  /** CI environment and working directory for the metadata of new captures (ingest's). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Progress events (default: none). */
  onEvent?: (event: ContentEvent) => void;
}

export interface BuildContentResult {
  /** 0 when every capture built, 1 when any failed. */
  status: 0 | 1;
  runs: IngestedRun[];
}

export async function buildContent(options: BuildContentOptions = {}): Promise<BuildContentResult> {
  const capturesDir = resolve(options.capturesDir ?? "captures");
  const contentDir = resolve(options.contentDir ?? "content");
  const emit = options.onEvent ?? (() => {});
  const captures = existsSync(capturesDir)
    ? readdirSync(capturesDir).filter((f) => f.toLowerCase().endsWith(".bin")).sort()
    : [];
  const runs = await ingestCaptures(captures.map((f) => join(capturesDir, f)), {
    contentDir,
    jobs: options.jobs,
    noSource: options.noSource,
    minFrameFraction: options.minFrameFraction,
    force: options.force,
    symbols: options.symbols,
    analyze: options.analyze,
    env: options.env,
    cwd: options.cwd,
    keepRecordedMeta: true,
    onEvent: emit,
  });
  const keepFull = options.keepFull ?? DEFAULT_KEEP_FULL;
  const retention = applyRetention(contentDir, keepFull);
  if (retention.pruned.length > 0) {
    emit({ kind: "note", message: `retention: full data of ${retention.pruned.length} older runs dropped (--keep-full ${keepFull})` });
  }
  return { status: runs.some((r) => r.outcome === "failed") ? 1 : 0, runs };
}
