/**
 * `heaptrail build`'s orchestration (the command's flags are cli/build.ts): lock the content
 * folder, run the content stage (content/ingest.ts's buildContent), run Astro into a sibling of
 * --out and swap it in whole. Writes only under the content
 * folder and --out: Astro's root (its `.astro/`), caches and server bundle live in
 * `<content>/.cache/`, never in the working directory or the package.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildContent, type BuildContentOptions, type BuildContentResult } from "../content/ingest.ts";
import { lockContent } from "../content/lock.ts";
import { SCHEMA_VERSION } from "../content/schema.ts";
import { publicDir } from "../content/ledger.ts";
import { Progress, type LogStream } from "./progress.ts";

/** The package's root: src/cli/ in a checkout, lib/cli/ in an installed package. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Marks a folder as a heaptrail site, so a later build may replace it whole. */
const SITE_MARKER = ".heaptrail-site";

/** The content stage's options (captures, ledger, analysis settings), plus the site's. */
export interface BuildSiteOptions extends Omit<BuildContentOptions, "onEvent"> {
  /** The site. Default "dist". */
  outDir?: string;
  /** The deployed site's origin, e.g. "https://example.org". */
  site?: string;
  /** Path the site is served under. Default "/". */
  base?: string;
  /** Progress output; default process.stderr. */
  log?: LogStream;
}

export interface BuildSiteResult extends BuildContentResult {
  outDir: string;
}

export class OutDirError extends Error {}

export async function buildSite(options: BuildSiteOptions = {}): Promise<BuildSiteResult> {
  const contentDir = resolve(options.contentDir ?? "content");
  const outDir = resolve(options.outDir ?? "dist");
  const progress = new Progress(options.log ?? process.stderr);
  checkOutDir(outDir);
  const release = await lockContent(contentDir, {
    onWait: (holder) => progress.line(`waiting for the build that holds ${join(contentDir, ".lock")} (${holder})`),
  });
  try {
    const { outDir: _out, site: _site, base: _base, log: _log, ...content } = options;
    const result = await buildContent({ ...content, contentDir, onEvent: progress.onEvent });
    progress.done();
    const t0 = performance.now();
    await runAstroBuild({ contentDir, outDir, site: options.site, base: options.base ?? "/" });
    progress.line(`site built in ${outDir} (${Math.round(performance.now() - t0)} ms, schema v${SCHEMA_VERSION})`);
    const failed = result.runs.filter((r) => r.outcome === "failed").length;
    if (failed > 0) progress.line(`${failed} of ${result.runs.length} captures failed; see their pages`);
    return { ...result, outDir };
  } finally {
    release();
  }
}

/** --out may be replaced whole only when it is absent, empty or a site heaptrail built. */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OutDirError(`${outDir}: ${code === "ENOTDIR" ? "exists and is not a folder" : `cannot be read (${code})`}`);
  }
  // Sites from before the marker: an index.html beside Astro's _astro/ folder.
  const isSite = names.length === 0 || names.includes(SITE_MARKER) || (names.includes("index.html") && names.includes("_astro"));
  if (!isSite) {
    throw new OutDirError(`${outDir}: exists and is not a heaptrail site (it would be replaced whole); choose a new or empty folder`);
  }
}

/** Folders beside --out that a killed build left: `.<out>.building-<pid>` and `.<out>.old-<pid>`. */
function siblings(outDir: string, kind: "building" | "old"): string[] {
  const parent = dirname(outDir);
  const prefix = `.${basename(outDir)}.${kind}-`;
  return existsSync(parent) ? readdirSync(parent).filter((n) => n.startsWith(prefix)).map((n) => join(parent, n)) : [];
}

/**
 * Replace `outDir` by `staged` with two renames. A kill between them leaves the old site in
 * `.<out>.old-<pid>`, which the next build (holding the lock) puts back before anything else.
 */
export function swapInto(staged: string, outDir: string): void {
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}`);
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staged, outDir);
  rmSync(old, { recursive: true, force: true });
}

/** Undo what a killed build left beside --out (called with the content lock held). */
export function recoverOutDir(outDir: string): void {
  const olds = siblings(outDir, "old");
  if (!existsSync(outDir) && olds.length > 0) renameSync(olds[0]!, outDir);
  for (const dir of [...siblings(outDir, "old"), ...siblings(outDir, "building")]) rmSync(dir, { recursive: true, force: true });
}

/**
 * Astro's root: a folder under the content folder (Astro writes `.astro/` into its root), with a
 * `node_modules` link to the folder holding the package's dependencies, since Vite resolves the
 * ids it generates (`astro/...`, `react`) from the root.
 */
function astroRoot(contentDir: string): string {
  const cache = join(contentDir, ".cache");
  const root = join(cache, "root");
  mkdirSync(root, { recursive: true });
  // The cache is machine-specific (a link to this machine's packages): never committed.
  writeFileSync(join(cache, ".gitignore"), "*\n");
  const astroPackage = createRequire(join(PACKAGE_ROOT, "package.json")).resolve("astro/package.json");
  const modules = join(root, "node_modules");
  rmSync(modules, { recursive: true, force: true });
  symlinkSync(dirname(dirname(astroPackage)), modules, "junction");
  return root;
}

/** Astro's programmatic build of the site sources in the package, staged beside `outDir`. */
export async function runAstroBuild(o: { contentDir: string; outDir: string; site?: string; base: string }): Promise<void> {
  const { build } = await import("astro");
  // The package's own astro.config.mjs (integrations, output format) is the base.
  const config = (await import(pathToFileURL(join(PACKAGE_ROOT, "astro.config.mjs")).href)).default as Record<string, unknown>;
  recoverOutDir(o.outDir);
  mkdirSync(dirname(o.outDir), { recursive: true });
  const staged = join(dirname(o.outDir), `.${basename(o.outDir)}.building-${process.pid}`);
  rmSync(staged, { recursive: true, force: true });
  const previous = process.env.HEAPTRAIL_CONTENT_DIR;
  // The content loader (src/content.config.ts) runs in this process and reads this.
  process.env.HEAPTRAIL_CONTENT_DIR = o.contentDir;
  const cache = join(o.contentDir, ".cache");
  const root = astroRoot(o.contentDir);
  // Astro puts its server bundle in <cwd>/.astro/ when outDir is outside the working directory:
  // work from the root under the content folder, so nothing lands in the user's folder.
  const cwd = process.cwd();
  process.chdir(root);
  try {
    await build({
      ...config,
      configFile: false,
      root,
      srcDir: join(PACKAGE_ROOT, "src"),
      outDir: staged,
      site: o.site,
      base: o.base,
      publicDir: publicDir(o.contentDir),
      // Per content folder, so concurrent builds of different folders do not share a data store.
      cacheDir: join(cache, "astro"),
      vite: {
        cacheDir: join(cache, "vite"),
        // The server bundle that renders the pages runs from the staging folder, which cannot
        // resolve packages: bundle them into it.
        ssr: { noExternal: true },
        environments: { prerender: { resolve: { noExternal: true } } },
      },
      logLevel: "error",
    });
    writeFileSync(join(staged, SITE_MARKER), "Built by heaptrail; `heaptrail build` replaces this folder whole.\n");
    swapInto(staged, o.outDir);
  } catch (e) {
    rmSync(staged, { recursive: true, force: true });
    throw e;
  } finally {
    process.chdir(cwd);
    if (previous === undefined) delete process.env.HEAPTRAIL_CONTENT_DIR;
    else process.env.HEAPTRAIL_CONTENT_DIR = previous;
  }
}
