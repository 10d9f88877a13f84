/**
 * `heaptrail compare [BASE] HEAD [--baseline] [--content DIR] [--format markdown|json|text]
 *   [--fail-above PCT] [--min-bytes N] [--drift-window N] [--drift-above PCT] [--site-url URL]
 *   [-o FILE]`: what a change did to memory, per benchmark. Without BASE, each run of HEAD is
 * compared with the base the history model gives it (or, with --baseline, its series' baseline).
 * Exit 0, or 1 when `--fail-above` is given and a benchmark regressed, 2 on usage errors.
 */
import { DEFAULT_DRIFT_ABOVE_PCT, DEFAULT_DRIFT_WINDOW, DEFAULT_FAIL_ABOVE_PCT, DEFAULT_MIN_BYTES } from "../shared/regression.ts";
import { DEFAULT_MAX_ROWS, MAX_COMMENT_CHARS, renderMarkdown, renderText, type CompareReport } from "../content/comment.ts";
import { compareOperands, compareWithHistory, OperandError, type LoadContext } from "../content/compare-load.ts";
import { DEFAULT_BRANCH_ENV, driftRuleFromEnv } from "../content/history.ts";
import { parseCommand, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

const USAGE = `usage: heaptrail compare [BASE] HEAD [options]

BASE and HEAD are each a memray capture file, a run id in the content folder, commit:<sha>
(every benchmark of that commit) or branch:<name> (its newest run of each benchmark). With
commits or branches, every benchmark of HEAD is compared with the same benchmark in BASE.
Without BASE, HEAD (a run id, commit:<sha> or branch:<name> in the content folder) is compared
with the base the site shows for it: the previous run on its branch; a pull request's run or a
branch's first run, the base branch's run at or before it (the default branch:
${DEFAULT_BRANCH_ENV}, else main, else master, else the branch with most runs).

options:
  --baseline         without BASE: compare each run with the baseline of its series instead,
                     the lowest of the last --drift-window comparable runs on the default branch
                     before it ("+16% over the last 10 runs on main"); growth past --drift-above
                     is reported as drift, and fails --fail-above
  --drift-window N   runs in the baseline window (default: $HEAPTRAIL_DRIFT_WINDOW, else ${DEFAULT_DRIFT_WINDOW})
  --drift-above PCT  a run whose peak exceeds its baseline by more than PCT percent (and more
                     than --min-bytes) is reported as drift (default: $HEAPTRAIL_DRIFT_ABOVE,
                     else ${DEFAULT_DRIFT_ABOVE_PCT})
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
        baseline: { type: "boolean", default: false },
        "drift-window": { type: "string" },
        "drift-above": { type: "string" },
        "site-url": { type: "string" },
        "max-rows": { type: "string" },
        output: { type: "string", short: "o" },
      },
    },
    USAGE,
  );
  if (positionals.length !== 1 && positionals.length !== 2) throw new UsageError("expected [BASE] HEAD", USAGE);
  if (values.baseline && positionals.length !== 1) throw new UsageError("--baseline compares HEAD with its baseline: give HEAD only", USAGE);
  const format = values.format;
  if (format !== "markdown" && format !== "json" && format !== "text") throw new UsageError(`unknown format ${format}`, USAGE);
  const gate = values["fail-above"] !== undefined;
  const rule = {
    failAbovePct: number(values["fail-above"], "--fail-above", DEFAULT_FAIL_ABOVE_PCT),
    minBytes: number(values["min-bytes"], "--min-bytes", DEFAULT_MIN_BYTES),
  };
  // Unset drift flags take the site build's environment (HEAPTRAIL_DRIFT_*), so both agree.
  const envDrift = driftRuleFromEnv(process.env);
  const windowRuns = number(values["drift-window"], "--drift-window", envDrift.windowRuns ?? DEFAULT_DRIFT_WINDOW);
  if (!Number.isInteger(windowRuns) || windowRuns < 1) throw new UsageError(`--drift-window takes a whole number ≥ 1, got ${values["drift-window"]}`, USAGE);
  const drift = { windowRuns, driftAbovePct: number(values["drift-above"], "--drift-above", envDrift.driftAbovePct ?? DEFAULT_DRIFT_ABOVE_PCT), minBytes: rule.minBytes };
  const historyOptions = { defaultBranch: process.env[DEFAULT_BRANCH_ENV] || null, drift };
  const maxRows = number(values["max-rows"], "--max-rows", DEFAULT_MAX_ROWS);
  const siteUrl = values["site-url"];
  if (siteUrl !== undefined && !/^https?:\/\/\S+$/.test(siteUrl)) throw new UsageError(`--site-url takes an http(s) URL, got ${siteUrl}`, USAGE);

  const ctx: LoadContext = { contentDir: values.content, ledger: null };
  let result;
  try {
    result =
      positionals.length === 1
        ? await compareWithHistory(ctx, positionals[0]!, rule, { ...historyOptions, baseline: values.baseline })
        : await compareOperands(ctx, positionals[0]!, positionals[1]!, rule, historyOptions);
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
    // Against the baseline the gate fails on drift (growth over the baseline past --drift-above).
    failed: gate && result.comparisons.some((c) => c.regression || (values.baseline && c.drift !== null)),
  };
  const text =
    format === "json"
      ? `${JSON.stringify(report, null, 1)}\n`
      : format === "text"
        ? renderText(report)
        : renderMarkdown(report, { siteUrl, maxRows, hasComparePage: result.hasComparePage });
  await writeOutput(text, values.output, out);
  return report.failed ? 1 : 0;
}
