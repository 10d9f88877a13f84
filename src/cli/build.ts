/**
 * `heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH]
 * [--no-source] [--min-frame-fraction F] [--force] [--jobs N] [--keep-full N]`: the captures in
 * captures/ are ingested into the ledger, then every run of the ledger becomes a page of a
 * static site.
 * Exit 1 when any capture failed (the others still build).
 */
import { availableParallelism } from "node:os";
import { parseCommand } from "./args.ts";
import { fractionFlag, intFlag } from "./ingest.ts";
import { buildSite } from "../content/build.ts";
import { DEFAULT_KEEP_FULL } from "../content/retention.ts";

const USAGE =
  "usage: heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH] " +
  "[--no-source] [--min-frame-fraction F] [--force] [--jobs N] [--keep-full N]\n" +
  `  --jobs N       captures analysed in parallel on worker threads (default: the cores, ${availableParallelism()})\n` +
  `  --keep-full N  full flame data kept for the newest N runs of each benchmark and branch (default ${DEFAULT_KEEP_FULL});\n` +
  "                 older runs keep their entry (summary, figures, top call sites); runs with meta keep=true stay full\n";

export async function runBuild(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseCommand({
    args: argv,
    options: {
      captures: { type: "string", default: "captures" },
      content: { type: "string", default: "content" },
      out: { type: "string", default: "dist" },
      site: { type: "string" },
      base: { type: "string", default: "/" },
      "no-source": { type: "boolean", default: false },
      "min-frame-fraction": { type: "string" },
      force: { type: "boolean", default: false },
      jobs: { type: "string" },
      "keep-full": { type: "string" },
    },
  }, USAGE);
  const fraction = fractionFlag(values["min-frame-fraction"], USAGE);
  const result = await buildSite({
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
  const failed = result.runs.filter((r) => r.outcome === "failed");
  out.write(`heaptrail build: ${result.runs.length} runs (${failed.length} failed) → ${result.outDir}\n`);
  for (const run of failed) out.write(`  failed: ${run.fileName}: ${run.error}\n`);
  return result.status;
}
