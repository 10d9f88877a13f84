/**
 * `heaptrail build [--captures DIR] [--content DIR] [--out DIR] [--site URL] [--base PATH]
 * [--no-source] [--force]`: every capture in captures/ becomes a run page of a static site.
 * Exit 1 when any capture failed (the others still build).
 */
import { parseArgs } from "node:util";
import { buildSite } from "../content/build.ts";

export async function runBuild(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      captures: { type: "string", default: "captures" },
      content: { type: "string", default: "content" },
      out: { type: "string", default: "dist" },
      site: { type: "string" },
      base: { type: "string", default: "/" },
      "no-source": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    },
  });
  const result = await buildSite({
    capturesDir: values.captures,
    contentDir: values.content,
    outDir: values.out,
    site: values.site,
    base: values.base,
    noSource: values["no-source"],
    force: values.force,
  });
  const failed = result.runs.filter((r) => r.outcome === "failed");
  out.write(`heaptrail build: ${result.runs.length} runs (${failed.length} failed) → ${result.outDir}\n`);
  for (const run of failed) out.write(`  failed: ${run.fileName}: ${run.error}\n`);
  return result.status;
}
