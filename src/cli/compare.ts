/**
 * `heaptrail compare BASE HEAD [--content DIR] [--format markdown|json|text] [--fail-above PCT]
 *   [--min-bytes N] [--site-url URL] [-o FILE]`: what a change did to memory, per benchmark.
 * Exit 0, or 1 when `--fail-above` is given and a benchmark regressed, 2 on usage errors.
 */
import { DEFAULT_FAIL_ABOVE_PCT, DEFAULT_MIN_BYTES } from "../shared/regression.ts";
import { DEFAULT_MAX_ROWS, MAX_COMMENT_CHARS, renderMarkdown, renderText, type CompareReport } from "../content/comment.ts";
import { hasComparePage } from "../content/compare.ts";
import { compareOperands, OperandError, type LoadContext } from "../content/compare-load.ts";
import { parseCommand, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

const USAGE = `usage: heaptrail compare BASE HEAD [options]

BASE and HEAD are each a memray capture file, a run id in the content folder, commit:<sha>
(every benchmark of that commit) or branch:<name> (its newest run of each benchmark). With
commits or branches, every benchmark of HEAD is compared with the same benchmark in BASE.

options:
  --content DIR      the history (content folder) run ids and selectors are looked up in
                     (default: content)
  --format FORMAT    markdown (a pull-request comment, default), json or text
  --fail-above PCT   exit 1 when a benchmark's peak or leaked bytes grew by more than PCT
                     percent and more than --min-bytes (default: never fail; the report marks
                     regressions at ${DEFAULT_FAIL_ABOVE_PCT}%)
  --min-bytes N      growth of at most N bytes is never a regression (default ${DEFAULT_MIN_BYTES}, 1 MiB)
  --site-url URL     the published site, for links to run, commit and compare pages (default: none)
  --max-rows N       markdown: rows per table of the comment, regressions first, the rest counted
                     (default ${DEFAULT_MAX_ROWS}; the comment stays under ${MAX_COMMENT_CHARS.toLocaleString("en-US")} characters whatever N)
  -o, --output FILE  write the report to FILE (default: standard output)
`;

function number(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} takes a number ≥ 0, got ${text}`, USAGE);
  return n;
}

export async function runCompare(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      options: {
        content: { type: "string", default: "content" },
        format: { type: "string", default: "markdown" },
        "fail-above": { type: "string" },
        "min-bytes": { type: "string" },
        "site-url": { type: "string" },
        "max-rows": { type: "string" },
        output: { type: "string", short: "o" },
      },
    },
    USAGE,
  );
  if (positionals.length !== 2) throw new UsageError("expected BASE and HEAD", USAGE);
  const format = values.format;
  if (format !== "markdown" && format !== "json" && format !== "text") throw new UsageError(`unknown format ${format}`, USAGE);
  const gate = values["fail-above"] !== undefined;
  const rule = {
    failAbovePct: number(values["fail-above"], "--fail-above", DEFAULT_FAIL_ABOVE_PCT),
    minBytes: number(values["min-bytes"], "--min-bytes", DEFAULT_MIN_BYTES),
  };
  const maxRows = number(values["max-rows"], "--max-rows", DEFAULT_MAX_ROWS);
  const siteUrl = values["site-url"];
  if (siteUrl !== undefined && !/^https?:\/\/\S+$/.test(siteUrl)) throw new UsageError(`--site-url takes an http(s) URL, got ${siteUrl}`, USAGE);

  const ctx: LoadContext = { contentDir: values.content, ledger: null };
  const [base, head] = positionals as [string, string];
  let result;
  try {
    result = await compareOperands(ctx, base, head, rule);
  } catch (e) {
    if (e instanceof OperandError) throw new UsageError(e.message, USAGE);
    throw e;
  }
  const report: CompareReport = {
    base: result.baseLabel,
    head: result.headLabel,
    rule,
    gate,
    comparisons: result.comparisons,
    failed: gate && result.comparisons.some((c) => c.regression),
  };
  const text =
    format === "json"
      ? `${JSON.stringify(report, null, 1)}\n`
      : format === "text"
        ? renderText(report)
        : renderMarkdown(report, { siteUrl, maxRows, hasComparePage: (b, h) => hasComparePage(result.pairs, b, h) });
  await writeOutput(text, values.output, out);
  return report.failed ? 1 : 0;
}
