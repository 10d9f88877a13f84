/**
 * `heaptrail build`: ingest the captures in captures/ into the ledger (content/; unchanged ones
 * are skipped), apply retention, then build the static site with Astro from the whole ledger,
 * including runs whose capture is gone. A capture that fails gets a "failed" entry; the others
 * still build.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ingestCaptures, type Analyze } from "./ingest.ts";
import { applyRetention, DEFAULT_KEEP_FULL } from "./retention.ts";
import { SCHEMA_VERSION } from "./schema.ts";
import { publicDir } from "./write.ts";

export type { Analyze } from "./ingest.ts";

export interface BuildSiteOptions {
  /** Folder of `*.bin` captures (each optionally with `<name>.meta.json`). Default "captures". */
  capturesDir?: string;
  /** Generated content (entries + data files). Default "content". */
  contentDir?: string;
  outDir?: string;
  /** The deployed site's origin, e.g. "https://example.org". */
  site?: string;
  /** Path the site is served under. Default "/". */
  base?: string;
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
  /** The analysis to run; default: src/analysis's analyzeCapture on a worker pool. Tests inject fixtures. */
  analyze?: Analyze;
  /** Worker threads analysing captures; default os.availableParallelism(). */
  jobs?: number;
  /** Full flame data kept for the newest N runs of each benchmark and branch. Default DEFAULT_KEEP_FULL. */
  keepFull?: number;
  /** CI environment and working directory for the metadata of new captures (ingest's). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Skip the Astro build (content only). */
  contentOnly?: boolean;
  /** Progress output; default process.stderr. */
  log?: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface BuildSiteResult {
  /** 0 when every capture built, 1 when any failed. */
  status: 0 | 1;
  runs: Array<{ runId: string; fileName: string; outcome: "written" | "unchanged" | "failed"; error?: string }>;
  outDir: string;
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

class Progress {
  private readonly tty: boolean;
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly total: number;
  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, total: number) {
    this.out = out;
    this.total = total;
    this.tty = !!out.isTTY;
  }
  step(done: number, label: string): void {
    if (!this.tty) return;
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    this.out.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total} ${label}`);
  }
  line(text: string): void {
    if (this.tty) this.out.write("\r\x1b[K");
    this.out.write(`${text}\n`);
  }
}

export async function buildSite(options: BuildSiteOptions = {}): Promise<BuildSiteResult> {
  const capturesDir = resolve(options.capturesDir ?? "captures");
  const contentDir = resolve(options.contentDir ?? "content");
  const outDir = resolve(options.outDir ?? "dist");
  const out = options.log ?? process.stderr;

  const captures = existsSync(capturesDir)
    ? readdirSync(capturesDir).filter((f) => f.toLowerCase().endsWith(".bin")).sort()
    : [];
  const progress = new Progress(out, captures.length);
  let done = 0;
  // captures/ is ingested into the ledger first; runs whose capture is gone stay in the ledger.
  const runs: BuildSiteResult["runs"] = await ingestCaptures(
    captures.map((f) => join(capturesDir, f)),
    {
      contentDir,
      jobs: options.jobs,
      noSource: options.noSource,
      minFrameFraction: options.minFrameFraction,
      force: options.force,
      analyze: options.analyze,
      env: options.env,
      cwd: options.cwd,
      keepRecordedMeta: true,
      log: (line) => {
        if (/: (analysed|unchanged|FAILED)/.test(line)) progress.step(++done, line.split(":")[0]!);
        if (!out.isTTY || line.includes("FAILED") || /(^|: )warning:/.test(line)) progress.line(line);
      },
    },
  );
  progress.step(captures.length, "done");
  if (out.isTTY) out.write("\n");

  const retention = applyRetention(contentDir, options.keepFull ?? DEFAULT_KEEP_FULL);
  if (retention.pruned.length > 0) progress.line(`retention: full data of ${retention.pruned.length} older runs dropped (--keep-full ${options.keepFull ?? DEFAULT_KEEP_FULL})`);

  if (!options.contentOnly) {
    const t0 = performance.now();
    await runAstroBuild({ contentDir, outDir, site: options.site, base: options.base ?? "/" });
    progress.line(`site built in ${outDir} (${Math.round(performance.now() - t0)} ms, schema v${SCHEMA_VERSION})`);
  }
  const failed = runs.filter((r) => r.outcome === "failed").length;
  if (failed > 0) progress.line(`${failed} of ${runs.length} captures failed; see their pages`);
  return { status: failed > 0 ? 1 : 0, runs, outDir };
}

/** Astro's programmatic build, pointed at our content and output folders. */
export async function runAstroBuild(o: { contentDir: string; outDir: string; site?: string; base: string }): Promise<void> {
  const { build } = await import("astro");
  const previous = process.env.HEAPTRAIL_CONTENT_DIR;
  // The content loader (src/content.config.ts) runs in this process and reads this.
  process.env.HEAPTRAIL_CONTENT_DIR = o.contentDir;
  try {
    await build({
      root: PROJECT_ROOT,
      outDir: o.outDir,
      site: o.site,
      base: o.base,
      publicDir: publicDir(o.contentDir),
      // Per content folder, so concurrent builds (tests, bench) do not share a data store.
      cacheDir: join(o.contentDir, ".astro-cache"),
      logLevel: "error",
    });
  } finally {
    if (previous === undefined) delete process.env.HEAPTRAIL_CONTENT_DIR;
    else process.env.HEAPTRAIL_CONTENT_DIR = previous;
  }
}
