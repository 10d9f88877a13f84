/**
 * `heaptrail ingest CAPTURE… [--content DIR] [--benchmark NAME] [--meta KEY=VALUE]… [--jobs N]
 * [--no-source] [--min-frame-fraction F] [--keep-full N] [--force]`: captures become runs in the
 * history ledger (the content folder). Exit 1 when any capture failed (it still gets an entry).
 */
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { lockContent } from "../content/lock.ts";
import { Progress } from "./progress.ts";
import { parseCommand, UsageError } from "./args.ts";
import { ingestCaptures } from "../content/ingest.ts";
import { parseMetaFlag } from "../content/provenance.ts";
import { applyRetention, DEFAULT_KEEP_FULL } from "../content/retention.ts";
import type { RunMeta } from "../content/schema.ts";

const USAGE = `usage: heaptrail ingest CAPTURE... [options]

Analyse memray captures into run entries of the history ledger; the captures are not needed
afterwards. Re-ingesting a capture under the same metadata changes nothing.

  --content DIR            the ledger (default: content)
  --benchmark NAME         benchmark of every capture given (default: the meta file's, else
                           pytest-memray's test id, else the file name up to "--")
  --meta KEY=VALUE         metadata above every other source; repeatable. Keys: author,
                           baseBranch, benchmark, branch, ciRunUrl, commit, keep, message, pr,
                           repository, timestamp. Below it: NAME.meta.json, GitHub Actions'
                           environment, git in the working directory, the capture header
  --jobs N                 captures analysed in parallel, on worker threads (default: the
                           number of cores, ${availableParallelism()} here), fewer when captures
                           are large: their estimated memory (40 bytes per capture byte) stays
                           within 3/4 of the machine's; a larger one runs alone
  --no-source              keep source lines out of the site
  --min-frame-fraction F   merge flame frames narrower than F of the root (default 1/2000)
  --keep-full N            keep full flame data for the newest N runs of each benchmark and
                           branch, and for runs with keep=true (default ${DEFAULT_KEEP_FULL})
  --force                  re-analyse captures already in the ledger
  --no-symbols             native captures: keep Python frames only (default: symbolize native
                           frames with this machine's ELF and debug files, as memray does)
`;

/** A whole number ≥ min from a flag, or the default. */
export function intFlag(text: string | undefined, name: string, fallback: number, min: number, usage: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number ≥ ${min}, got ${text}`, usage);
  return n;
}

/** --min-frame-fraction: a number in [0, 1), or undefined for the default. */
export function fractionFlag(text: string | undefined, usage: string): number | undefined {
  if (text === undefined) return undefined;
  const fraction = Number(text);
  if (!(fraction >= 0 && fraction < 1)) throw new UsageError(`--min-frame-fraction takes a number in [0, 1), got ${text}`, usage);
  return fraction;
}

export async function runIngest(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand({
    args: argv,
    allowPositionals: true,
    options: {
      content: { type: "string", default: "content" },
      benchmark: { type: "string" },
      meta: { type: "string", multiple: true, default: [] },
      jobs: { type: "string" },
      "no-source": { type: "boolean", default: false },
      "min-frame-fraction": { type: "string" },
      "keep-full": { type: "string" },
      force: { type: "boolean", default: false },
      "no-symbols": { type: "boolean", default: false },
    },
  }, USAGE);
  if (positionals.length === 0) throw new UsageError("expected one or more capture files", USAGE);
  let meta: RunMeta = {};
  for (const flag of values.meta) {
    try {
      meta = { ...meta, ...parseMetaFlag(flag) };
    } catch (e) {
      throw new UsageError((e as Error).message, USAGE);
    }
  }
  const keepFull = intFlag(values["keep-full"], "keep-full", DEFAULT_KEEP_FULL, 0, USAGE);
  const progress = new Progress(process.stderr);
  // One writer per ledger: a build or another ingest into the same folder waits for this one.
  const release = await lockContent(resolve(values.content), {
    onWait: (holder) => progress.line(`waiting for the process that holds ${join(values.content, ".lock")} (${holder})`),
  });
  let runs, pruned;
  try {
    runs = await ingestCaptures(positionals, {
      symbols: !values["no-symbols"],
      contentDir: values.content,
      benchmark: values.benchmark,
      meta,
      jobs: intFlag(values.jobs, "jobs", availableParallelism(), 1, USAGE),
      noSource: values["no-source"],
      minFrameFraction: fractionFlag(values["min-frame-fraction"], USAGE),
      force: values.force,
      onEvent: progress.onEvent,
    });
    progress.done();
    ({ pruned } = applyRetention(values.content, keepFull));
  } finally {
    release();
  }
  const failed = runs.filter((r) => r.outcome === "failed");
  for (const run of runs) out.write(`${run.outcome.padEnd(9)} ${run.runId}  ${run.fileName}${run.error ? `: ${run.error}` : ""}\n`);
  out.write(`heaptrail ingest: ${runs.length} captures (${failed.length} failed) → ${values.content}` +
    (pruned.length > 0 ? `; full data of ${pruned.length} older runs dropped` : "") + "\n");
  return failed.length > 0 ? 1 : 0;
}
