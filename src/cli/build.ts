/**
 * `heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH]
 * [--no-source] [--min-frame-fraction F] [--force]`: every capture in captures/ becomes a run page
 * of a static site.
 * Exit 1 when any capture failed (the others still build).
 */
import { parseCommand, UsageError } from "./args.ts";
import { buildSite } from "../content/build.ts";

const USAGE =
  "usage: heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH] " +
  "[--no-source] [--min-frame-fraction F] [--force] [--no-symbols]\n" +
  "  --no-symbols    native captures: keep Python frames only (default: symbolize native frames\n" +
  "                  with this machine's ELF files, as memray does)\n";

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
      "no-symbols": { type: "boolean", default: false },
    },
  }, USAGE);
  const fractionText = values["min-frame-fraction"];
  const fraction = fractionText === undefined ? undefined : Number(fractionText);
  if (fraction !== undefined && !(fraction >= 0 && fraction < 1)) {
    throw new UsageError(`--min-frame-fraction takes a number in [0, 1), got ${fractionText}`, USAGE);
  }
  const result = await buildSite({
    capturesDir: values.captures,
    contentDir: values.content,
    outDir: values.out,
    site: values.site,
    base: values.base,
    noSource: values["no-source"],
    minFrameFraction: fraction,
    force: values.force,
    symbols: !values["no-symbols"],
  });
  const failed = result.runs.filter((r) => r.outcome === "failed");
  out.write(`heaptrail build: ${result.runs.length} runs (${failed.length} failed) → ${result.outDir}\n`);
  for (const run of failed) out.write(`  failed: ${run.fileName}: ${run.error}\n`);
  return result.status;
}
