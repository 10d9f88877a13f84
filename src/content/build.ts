/**
 * `heaptrail build`: ingest every capture into content (skipping unchanged ones), then build the
 * static site with Astro. A capture that fails gets a "failed" entry; the others still build.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeCapture } from "../analysis/analyze.ts";
import { nativeSymbols, warnOnStderr } from "../symbols/index.ts";
import type { RunAnalysis } from "../analysis/model.ts";
import { SCHEMA_VERSION, runMetaSchema, type RunMeta } from "./schema.ts";
import { isUpToDate, publicDir, runsDir, writeFailedRun, writeRun } from "./write.ts";

export type Analyze = (path: string) => Promise<RunAnalysis> | RunAnalysis;

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
  /** Native captures: symbolize native frames with this machine's ELF files. Default true. */
  symbols?: boolean;
  /** The analysis to run; default: src/analysis's analyzeCapture. Tests inject fixtures. */
  analyze?: Analyze;
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

/** A URL-safe run id from a capture's file name. */
export function runIdFor(fileName: string): string {
  const stem = basename(fileName).replace(/\.bin$/i, "");
  return stem.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._-]+/, "") || "run";
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function readMeta(capturePath: string, warn: (s: string) => void): RunMeta {
  const metaPath = capturePath.replace(/\.bin$/i, ".meta.json");
  if (!existsSync(metaPath)) return {};
  try {
    const parsed = runMetaSchema.safeParse(JSON.parse(readFileSync(metaPath, "utf8")));
    if (parsed.success) return parsed.data;
    warn(`${basename(metaPath)}: ignored (${parsed.error.issues[0]?.message ?? "invalid"})`);
  } catch (e) {
    warn(`${basename(metaPath)}: ignored (${e instanceof Error ? e.message : String(e)})`);
  }
  return {};
}

function defaultAnalyze(symbols: boolean): Analyze {
  const symbolizerFor = symbols ? nativeSymbols({ warn: warnOnStderr }) : undefined;
  return (path) => analyzeCapture(path, { symbolizerFor });
}

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
  const analyze = options.analyze ?? defaultAnalyze(options.symbols ?? true);
  const out = options.log ?? process.stderr;

  const captures = existsSync(capturesDir)
    ? readdirSync(capturesDir).filter((f) => f.toLowerCase().endsWith(".bin")).sort()
    : [];
  const progress = new Progress(out, captures.length);
  const runs: BuildSiteResult["runs"] = [];
  const ids = new Set<string>();

  for (const [i, fileName] of captures.entries()) {
    const path = join(capturesDir, fileName);
    let runId = runIdFor(fileName);
    while (ids.has(runId)) runId += "_";
    ids.add(runId);
    progress.step(i, fileName);
    const captureHash = await hashFile(path);
    const meta = readMeta(path, (s) => progress.line(`warning: ${s}`));
    const writeOptions = {
      runId,
      captureHash,
      meta,
      fileName,
      contentDir,
      noSource: options.noSource,
      minFrameFraction: options.minFrameFraction,
      sourceRoots: [capturesDir, process.cwd()],
      fileSizeBytes: statSync(path).size,
      fallbackTimeMs: statSync(path).mtimeMs,
    };
    if (!options.force && isUpToDate(contentDir, writeOptions)) {
      runs.push({ runId, fileName, outcome: "unchanged" });
      if (!out.isTTY) progress.line(`${fileName}: unchanged`);
      continue;
    }
    try {
      const t0 = performance.now();
      const analysis = await analyze(path);
      writeRun(analysis, writeOptions);
      runs.push({ runId, fileName, outcome: "written" });
      if (!out.isTTY) progress.line(`${fileName}: analysed in ${Math.round(performance.now() - t0)} ms`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      writeFailedRun(e, writeOptions);
      runs.push({ runId, fileName, outcome: "failed", error: message });
      progress.line(`${fileName}: FAILED: ${message}`);
    }
  }
  progress.step(captures.length, "done");
  if (out.isTTY) out.write("\n");

  // Content is derived state: drop runs whose capture is gone.
  const entriesDir = runsDir(contentDir);
  if (existsSync(entriesDir)) {
    for (const f of readdirSync(entriesDir)) {
      const id = f.replace(/\.json$/, "");
      if (f.endsWith(".json") && !ids.has(id)) {
        rmSync(join(entriesDir, f), { force: true });
        rmSync(join(publicDir(contentDir), "data", id), { recursive: true, force: true });
      }
    }
  }

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
