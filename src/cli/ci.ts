/**
 * `heaptrail ci`: the whole CI flow in one command, the same on a laptop and in GitHub Actions.
 *
 * - push (Actions), or `--push` elsewhere: the captures become runs of the history branch
 *   (fetched from origin, created as an orphan branch when absent), which is committed and
 *   pushed (a push that loses a race is retried on top of the winner); then the site is built.
 * - pull_request, or no `--push`: the runs join a scratch copy of the history and nothing is
 *   pushed; each benchmark is compared with the base branch's run at the merge base (or the
 *   newest before it), the markdown comment is written, a preview site is built, and the exit
 *   status is 1 when `--fail-above` is exceeded.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { budgetMatcher, overBudgetRuns, parseBudget, parseBudgetFile, type Budget } from "../content/budgets.ts";
import { DEFAULT_MAX_ROWS, MAX_COMMENT_CHARS, renderMarkdown, type CompareReport } from "../content/comment.ts";
import { compareWithBases } from "../content/compare-load.ts";
import { baseBranchOf, buildHistory, DEFAULT_BRANCH_ENV, DRIFT_ABOVE_ENV, DRIFT_WINDOW_ENV, driftRuleFromEnv, type SeriesRun } from "../content/history.ts";
import { ingestCaptures } from "../content/ingest.ts";
import { applyRetention, DEFAULT_KEEP_FULL } from "../content/retention.ts";
import { copyRun, publicDir, readLedger } from "../content/ledger.ts";
import { formatBytes } from "../shared/format.ts";
import { DEFAULT_DRIFT_ABOVE_PCT, DEFAULT_DRIFT_WINDOW, DEFAULT_FAIL_ABOVE_PCT, DEFAULT_MIN_BYTES } from "../shared/regression.ts";
import { errnoMessage, parseCommand, SYMBOL_OPTIONS, UsageError, UserError, type CommandConfig } from "./args.ts";
import { ciContext } from "./ci-env.ts";
import { extractTree, fetchHistory, GitError, gitMaybe, mergeBase, repositoryRoot, requireOrigin, updateHistory } from "./git.ts";
import { intFlag } from "./ingest.ts";
import { writeOutput } from "./output.ts";
import { Progress } from "./progress.ts";
import { buildSite } from "./build-site.ts";

const USAGE =
  "usage: heaptrail ci --captures DIR|FILE [--captures …] [--history-branch NAME] [--out DIR] [--site URL] [--base PATH] " +
  "[--comment FILE] [--max-rows N] [--budget PATTERN=SIZE …] [--budget-file FILE] [--fail-above PCT] [--min-bytes N] [--drift-window N] [--drift-above PCT] [--push] [--keep-full N] [--jobs N] [--no-symbols]\n";

const CONFIG = {
  description:
    "The CI flow in one command. On a push (GitHub Actions' push event, or --push), the captures become runs of the history branch, " +
    "which is committed and pushed, and the site is built from the whole history. On a pull request (or without --push), nothing is pushed: " +
    "each benchmark is compared with its base (the base branch's run at the merge base, as the site's commit page shows it), the markdown comment is written and a preview site is built. " +
    "GitHub Actions' environment (GITHUB_EVENT_NAME, GITHUB_SHA, GITHUB_REF_NAME, GITHUB_HEAD_REF, GITHUB_BASE_REF, GITHUB_REPOSITORY, …) " +
    "is read when present; git is asked in the working directory, against its origin.",
  options: {
    captures: { type: "string", multiple: true, metavar: "DIR|FILE", help: "memray captures (*.bin, with their .meta.json) made by this job; repeatable" },
    "history-branch": { type: "string", default: "heaptrail-data", metavar: "NAME", help: "the branch of origin that keeps the run history" },
    out: { type: "string", default: "heaptrail-site", metavar: "DIR", help: "folder the site is built into (replaced whole)" },
    site: { type: "string", metavar: "URL", help: "the deployed site's address, for links", defaultText: "https://<owner>.github.io/<repo>/ in Actions, else none" },
    base: { type: "string", metavar: "PATH", help: "path the site is served under", defaultText: "/<repo>/ in Actions, else /" },
    comment: { type: "string", default: "heaptrail-comment.md", metavar: "FILE", help: "where the pull-request comment (markdown) is written" },
    "max-rows": {
      type: "string",
      metavar: "N",
      help: `rows per table of the comment (regressions first, then the biggest changes; the rest counted); the comment stays under ${MAX_COMMENT_CHARS.toLocaleString("en-US")} characters whatever N`,
      defaultText: String(DEFAULT_MAX_ROWS),
    },
    budget: {
      type: "string",
      multiple: true,
      metavar: "PATTERN=SIZE",
      help: "a memory budget: benchmarks (test ids) matching PATTERN (* any characters, ? one) must peak at or under SIZE (B, KB, MB, GB, KiB, MiB, GiB), else exit 1; repeatable, the first matching pattern wins",
    },
    "budget-file": { type: "string", metavar: "FILE", help: "budgets from FILE, one PATTERN=SIZE a line (# comments), after any --budget" },
    "fail-above": { type: "string", metavar: "PCT", help: "exit 1 when a benchmark's peak or leaked bytes grew by more than PCT percent (and --min-bytes)", defaultText: "never fail" },
    "min-bytes": { type: "string", metavar: "N", help: "growth of at most N bytes is never a regression (nor drift)", defaultText: `${DEFAULT_MIN_BYTES} (1 MiB)` },
    "drift-window": { type: "string", metavar: "N", help: "runs of the default branch in each benchmark's baseline window (drift: creep no single step shows), for the comment and the site", defaultText: `$HEAPTRAIL_DRIFT_WINDOW, else ${DEFAULT_DRIFT_WINDOW}` },
    "drift-above": { type: "string", metavar: "PCT", help: "a run whose peak exceeds the lowest run of its window by more than PCT percent (and --min-bytes) drifts", defaultText: `$HEAPTRAIL_DRIFT_ABOVE, else ${DEFAULT_DRIFT_ABOVE_PCT}` },
    push: { type: "boolean", default: false, help: "outside Actions: commit and push the runs to the history branch (Actions' push events always do)" },
    "keep-full": { type: "string", metavar: "N", help: "full flame data kept for the newest N runs of each benchmark and branch", defaultText: String(DEFAULT_KEEP_FULL) },
    jobs: { type: "string", metavar: "N", help: "captures analysed in parallel", defaultText: "the number of cores" },
    ...SYMBOL_OPTIONS,
  },
} satisfies CommandConfig;

/** Every capture named: files as given, folders' `*.bin` files. */
function captureFiles(given: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of given) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      throw new UserError(`captures ${errnoMessage(e, path)}`);
    }
    if (!isDir) files.push(resolve(path));
    else for (const f of readdirSync(path).sort()) if (f.toLowerCase().endsWith(".bin")) files.push(resolve(path, f));
  }
  return files;
}

/** Copy the staged runs (entries and data folders) into a ledger. */
function addRuns(staged: string, ids: readonly string[], ledger: string): void {
  for (const id of ids) copyRun(staged, id, ledger);
}

/** `--budget` flags, then the budget file's lines: the first match wins, so flags come first. */
function readBudgets(flags: readonly string[], file: string | undefined): Budget[] {
  const budgets: Budget[] = [];
  for (const flag of flags) {
    try {
      budgets.push(parseBudget(flag));
    } catch (e) {
      throw new UsageError(`--budget: ${e instanceof Error ? e.message : String(e)}`, USAGE);
    }
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UserError(`--budget-file ${errnoMessage(e, file)}`);
    }
    try {
      budgets.push(...parseBudgetFile(text, file));
    } catch (e) {
      throw new UserError(e instanceof Error ? e.message : String(e));
    }
  }
  return budgets;
}

export async function runCi(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseCommand({ ...CONFIG, args: argv }, USAGE);
  const given = values.captures ?? [];
  if (given.length === 0) throw new UsageError("--captures is required (a folder or file of memray captures)", USAGE);
  const failAbove = values["fail-above"] === undefined ? null : Number(values["fail-above"]);
  if (failAbove !== null && !(failAbove >= 0)) throw new UsageError(`--fail-above takes a percentage ≥ 0, got ${values["fail-above"]}`, USAGE);
  const minBytes = values["min-bytes"] === undefined ? DEFAULT_MIN_BYTES : Number(values["min-bytes"]);
  if (!(minBytes >= 0)) throw new UsageError(`--min-bytes takes a number ≥ 0, got ${values["min-bytes"]}`, USAGE);
  // Unset flags take the site build's environment (HEAPTRAIL_DRIFT_*), else the defaults.
  const envDrift = driftRuleFromEnv(process.env);
  const driftWindow = intFlag(values["drift-window"], "drift-window", envDrift.windowRuns ?? DEFAULT_DRIFT_WINDOW, 1, USAGE);
  const driftAbove = values["drift-above"] === undefined ? (envDrift.driftAbovePct ?? DEFAULT_DRIFT_ABOVE_PCT) : Number(values["drift-above"]);
  if (!(driftAbove >= 0)) throw new UsageError(`--drift-above takes a percentage ≥ 0, got ${values["drift-above"]}`, USAGE);
  const keepFull = intFlag(values["keep-full"], "keep-full", DEFAULT_KEEP_FULL, 0, USAGE);
  const maxRows = intFlag(values["max-rows"], "max-rows", DEFAULT_MAX_ROWS, 0, USAGE);
  const jobs = values.jobs === undefined ? undefined : intFlag(values.jobs, "jobs", 1, 1, USAGE);
  const symbols = !values["no-symbols"];
  const budgets = readBudgets(values.budget ?? [], values["budget-file"]);

  const env = process.env;
  const ctx = ciContext(env);
  const cwd = process.cwd();
  const progress = new Progress(err);
  const captures = captureFiles(given);
  if (captures.length === 0) throw new UserError(`no memray captures (*.bin) in ${given.join(", ")}`);

  const branch = values["history-branch"];
  const push = ctx.event === "push" || (ctx.event === "local" && values.push);
  let repo: string;
  try {
    repo = repositoryRoot(cwd);
    if (push) requireOrigin(repo);
  } catch (e) {
    if (e instanceof GitError) throw new UserError(e.message);
    throw e;
  }
  const hasOrigin = gitMaybe(["remote", "get-url", "origin"], { cwd: repo }) !== null;
  const site = values.site ?? ctx.siteUrl ?? undefined;
  const base = values.base ?? ctx.basePath ?? "/";

  // 1. This job's runs, analysed once into a staging ledger.
  const staged = mkdtempSync(join(tmpdir(), "heaptrail-ci-runs-"));
  const scratch: string[] = [staged];
  try {
    const runs = await ingestCaptures(captures, {
      contentDir: staged,
      env,
      cwd,
      jobs,
      symbols,
      onEvent: progress.onEvent,
      ...(budgets.length > 0 ? { budgetFor: budgetMatcher(budgets) } : {}),
    });
    progress.done();
    const ids = runs.map((r) => r.runId);
    const failed = runs.filter((r) => r.outcome === "failed");
    const stagedRuns = readLedger(staged);
    const shas = [...new Set(stagedRuns.map((r) => r.commit).filter((c): c is string => !!c))];
    const overBudget = overBudgetRuns(stagedRuns);
    for (const o of overBudget) progress.line(`over budget: ${o.benchmark}: peak ${formatBytes(o.peakBytes)} > budget ${formatBytes(o.budgetBytes)}`);

    // 2. The history, with them.
    let ledger: string;
    try {
      if (push) {
        const message = `heaptrail: ${ids.length} run${ids.length === 1 ? "" : "s"}${shas.length === 1 ? ` of ${shas[0]!.slice(0, 12)}` : ""}${ctx.branch ? ` on ${ctx.branch}` : ""}`;
        const result = await updateHistory({
          cwd: repo,
          branch,
          message,
          push: true,
          env,
          log: (line) => progress.line(line),
          apply: (dir) => {
            addRuns(staged, ids, dir);
            applyRetention(dir, keepFull);
          },
        });
        ledger = result.dir;
        scratch.push(ledger);
        progress.line(result.pushed ? `${branch}: pushed ${result.commit!.slice(0, 12)} to origin (${ids.length} runs)` : `${branch}: unchanged (these runs were already there)`);
      } else {
        ledger = mkdtempSync(join(tmpdir(), "heaptrail-ci-history-"));
        scratch.push(ledger);
        // Reading the history is best effort here: nothing is pushed, so a missing or unreachable
        // origin only means there is nothing to compare with.
        let head: string | null = null;
        try {
          head = hasOrigin ? fetchHistory(repo, branch, env) : null;
        } catch (e) {
          if (!(e instanceof GitError)) throw e;
          progress.line(`warning: could not read ${branch} from origin (${e.message})`);
        }
        if (head !== null) extractTree(repo, head, ledger);
        else progress.line(`${branch}: no history to compare with; this run's site holds its own runs only`);
        addRuns(staged, ids, ledger);
        applyRetention(ledger, keepFull);
      }
    } catch (e) {
      if (e instanceof GitError) throw new UserError(e.message);
      throw e;
    }

    // 3. The comparison (pull requests, and local runs that push nothing): each of this job's runs
    // against the base the history model gives it (the site's commit page shows the same), with
    // the merge base from git when the base branch has a run of it.
    let status = failed.length > 0 || overBudget.length > 0 ? 1 : 0;
    if (!push && shas.length === 1) {
      const headSha = shas[0]!;
      const rule = { failAbovePct: failAbove ?? DEFAULT_FAIL_ABOVE_PCT, minBytes };
      const ledgerRuns = readLedger(ledger);
      const options = { defaultBranch: env[DEFAULT_BRANCH_ENV] || null, rule, drift: { windowRuns: driftWindow, driftAbovePct: driftAbove, minBytes } };
      let history = buildHistory(ledgerRuns, options);
      const targets = [...new Set(ids.flatMap((id) => { const run = history.byId.get(id); return run ? [baseBranchOf(run)] : []; }))];
      const mb = hasOrigin && targets.length === 1 ? mergeBase(repo, targets[0]!, env) : null;
      if (mb) history = buildHistory(ledgerRuns, { ...options, mergeBases: new Map([[headSha, mb]]) });
      const heads = ids.map((id) => history.byId.get(id)).filter((r): r is SeriesRun => r !== undefined && r.entry.status === "ok");
      const comparisons = compareWithBases(ledger, heads, rule);
      const baseCommits = new Set(heads.map((r) => r.base?.entry.commit ?? null));
      const baseLabel = mb && baseCommits.size === 1 && baseCommits.has(mb) ? `commit:${mb}` : targets.length === 1 ? `branch:${targets[0]}` : "each run's base";
      const report: CompareReport = {
        base: baseLabel,
        head: `commit:${headSha}`,
        rule,
        gate: failAbove !== null,
        comparisons: heads.some((r) => r.base) ? comparisons : [],
        failed: failAbove !== null && comparisons.some((c) => c.regression),
        overBudget,
      };
      // This job's runs are not on the deployed site (nothing is pushed): no compare page to link there.
      const markdown = renderMarkdown(report, { siteUrl: site, maxRows, hasComparePage: () => false });
      await writeOutput(markdown, values.comment, out);
      progress.line(`comment written to ${values.comment} (${report.comparisons.length} benchmarks against ${baseLabel})`);
      if (report.failed) status = 1;
    }

    // 4. The site, from the whole history (a preview on pull requests).
    const empty = mkdtempSync(join(tmpdir(), "heaptrail-ci-none-"));
    scratch.push(empty);
    // The site's drift flags follow the same rule as the comment (the build reads it from the environment).
    const driftEnv = { [DRIFT_WINDOW_ENV]: String(driftWindow), [DRIFT_ABOVE_ENV]: String(driftAbove) };
    const saved = Object.fromEntries(Object.keys(driftEnv).map((k) => [k, process.env[k]]));
    Object.assign(process.env, driftEnv);
    try {
      await buildSite({ capturesDir: empty, contentDir: ledger, outDir: values.out, site, base, keepFull, env, cwd, log: err });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const pages = existsSync(publicDir(ledger)) ? readLedger(ledger).length : 0;
    out.write(`heaptrail ci: ${ids.length} runs (${failed.length} failed${overBudget.length > 0 ? `, ${overBudget.length} over budget` : ""}), history of ${pages} runs → ${values.out}${push ? ` (pushed to ${branch})` : ""}\n`);
    return status;
  } finally {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }
}
