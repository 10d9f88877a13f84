/**
 * `heaptrail build`: every capture in the captures folder becomes a run page of a static site.
 * Exit 1 when any capture failed (the others still build).
 */
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { DEFAULT_KEEP_FULL } from "../content/retention.ts";
import { DEFAULT_MIN_FRAME_FRACTION } from "../content/schema.ts";
import { errnoMessage, parseCommand, SYMBOL_OPTIONS, UsageError, UserError, type CommandConfig } from "./args.ts";
import { intFlag } from "./ingest.ts";
import { buildSite, OutDirError } from "./build-site.ts";

const USAGE =
  "usage: heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH] " +
  "[--no-source] [--min-frame-fraction F] [--force] [--jobs N] [--keep-full N] [--no-symbols]\n";

const CONFIG = {
  description:
    "Ingest every memray capture (*.bin, with an optional <name>.meta.json beside it) into the history ledger (the content folder), " +
    "then build the static report site from every run of the ledger, including runs whose capture is gone. Unchanged captures are not analysed again. Writes only under --content and --out; " +
    "--out is replaced whole when the site is ready, so a failed or killed build leaves the previous site.",
  options: {
    captures: { type: "string", default: "captures", metavar: "DIR", help: "folder of memray capture files (*.bin) and their .meta.json" },
    content: { type: "string", default: "content", metavar: "DIR", help: "generated content: one entry and data folder per run, and the build's caches" },
    out: { type: "string", default: "dist", metavar: "DIR", help: "folder the static site is written to (replaced whole)" },
    site: { type: "string", metavar: "URL", help: "the deployed site's origin, e.g. https://me.github.io", defaultText: "none" },
    base: { type: "string", default: "/", metavar: "PATH", help: "path the site is served under, e.g. /my-repo/" },
    "no-source": { type: "boolean", default: false, help: "keep source lines out of the site (like memray's --confidential-files all)" },
    "min-frame-fraction": {
      type: "string",
      metavar: "F",
      help: "merge flame frames narrower than F of the whole into one node (keeps their bytes); larger F: smaller, faster pages",
      defaultText: `1/${Math.round(1 / DEFAULT_MIN_FRAME_FRACTION)}`,
    },
    force: { type: "boolean", default: false, help: "analyse every capture again, even unchanged ones" },
    ...SYMBOL_OPTIONS,
    jobs: { type: "string", metavar: "N", help: "captures analysed in parallel, on worker threads", defaultText: `the number of cores (${availableParallelism()} here)` },
    "keep-full": {
      type: "string",
      metavar: "N",
      help: "keep full flame data for the newest N runs of each benchmark and branch (and runs with keep=true); older runs keep their summary",
      defaultText: String(DEFAULT_KEEP_FULL),
    },
  },
} satisfies CommandConfig;

/** The captures folder must exist and be a folder: an empty site from a typo helps nobody. */
function checkCapturesDir(path: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new UserError(`captures folder ${errnoMessage(e, path)}`);
  }
  if (!isDir) throw new UserError(`captures folder ${path}: is a file, not a folder`);
}

export async function runBuild(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseCommand({ ...CONFIG, args: argv }, USAGE);
  const fractionText = values["min-frame-fraction"];
  const fraction = fractionText === undefined ? undefined : Number(fractionText);
  if (fraction !== undefined && !(fraction >= 0 && fraction < 1)) {
    throw new UsageError(`--min-frame-fraction takes a number in [0, 1), got ${fractionText}`, USAGE);
  }
  checkCapturesDir(values.captures);
  let result;
  try {
    result = await buildSite({
      symbols: !values["no-symbols"],
      capturesDir: values.captures,
      contentDir: values.content,
      outDir: values.out,
      site: values.site,
      base: values.base,
      noSource: values["no-source"],
      minFrameFraction: fraction,
      force: values.force,
      jobs: intFlag(values.jobs, "jobs", availableParallelism(), 1, USAGE),
      keepFull: intFlag(values["keep-full"], "keep-full", DEFAULT_KEEP_FULL, 0, USAGE),
    });
  } catch (e) {
    if (e instanceof OutDirError) throw new UserError(e.message);
    throw e;
  }
  const failed = result.runs.filter((r) => r.outcome === "failed");
  out.write(`heaptrail build: ${result.runs.length} runs (${failed.length} failed) → ${result.outDir}\n`);
  for (const run of failed) out.write(`  failed: ${run.fileName}: ${run.error}\n`);
  return result.status;
}
