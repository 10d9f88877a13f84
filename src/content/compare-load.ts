/**
 * What `heaptrail compare` compares: its operands resolved to run entries (a capture file,
 * analysed in memory; a run id in the ledger; `commit:<sha>`; `branch:<name>`), paired per
 * series, and each pair compared with its peak trees. With one operand, each run is compared
 * with the base (or the baseline) the history model gives it.
 */
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { DiffSource } from "../analysis/diff.ts";
import { DEFAULT_DRIFT_WINDOW, isDrift, type DriftRule, type RegressionRule } from "../shared/regression.ts";
import { decodeTree, encodeTree } from "./columnar.ts";
import { compareBenchmark, worstFirst, type BenchmarkComparison } from "./compare.ts";
import { buildHistory, hasComparePage, newestOfSeriesBefore, newestPerSeries, seriesName, type History, type HistoryOptions, type SeriesRun } from "./history.ts";
import { treeDataSource } from "./diff-source.ts";
import type { ColumnarTree, DataRef, OkRunEntry, RunEntry } from "./schema.ts";
import { readDataFile, readLedger } from "./ledger.ts";
import { NO_DATA, okRunEntry } from "./write.ts";
import { readMetaFile } from "./provenance.ts";

/** An operand that names nothing: the command reports it as a usage error. */
export class OperandError extends Error {}

/** A resolved operand: the runs it names (one per series at most), and how to get their peak trees. */
export interface Operand {
  label: string;
  runs: OkRunEntry[];
  /** A run's peak tree (from its data file, or the analysis in memory); null when pruned or unreadable. */
  peakTree: (run: OkRunEntry) => DiffSource<number> | null;
  inLedger: boolean;
  /** A single run (a file or a run id), compared with whatever the other side names. */
  single: boolean;
}

export interface LoadContext {
  contentDir: string;
  /** The ledger's entries, read on first use. */
  ledger: RunEntry[] | null;
}

function ledger(ctx: LoadContext): RunEntry[] {
  if (ctx.ledger === null) ctx.ledger = readLedger(ctx.contentDir);
  return ctx.ledger;
}

function okRuns(runs: RunEntry[]): OkRunEntry[] {
  return runs.filter((r): r is OkRunEntry => r.status === "ok");
}

/**
 * Analyse a capture file in memory; its entry names it by its file name. Its peak tree is the
 * one a data file would hold (pruned at the entry's frame fraction), so a capture compares as
 * the same capture ingested would.
 */
async function captureOperand(path: string, side: string): Promise<Operand> {
  const { analyzeCapture } = await import("../analysis/analyze.ts");
  const fileName = basename(path);
  const analysis = analyzeCapture(path, {});
  const entry = okRunEntry(analysis, { runId: side, captureHash: "", meta: readMetaFile(path), fileName, noSource: true, fileSizeBytes: statSync(path).size }, NO_DATA);
  const peak = analysis.flame.peak;
  const tree = peak === null ? null : treeDataSource(decodeTree(encodeTree(peak, { minFrameFraction: entry.minFrameFraction })));
  return { label: fileName, runs: [entry], peakTree: () => tree, inLedger: false, single: true };
}

/** Resolve one operand (see the module comment). `side` names a capture file's run ("base"/"head"). */
export async function resolveOperand(ctx: LoadContext, operand: string, side: "base" | "head"): Promise<Operand> {
  const ledgerOperand = (runs: OkRunEntry[], single: boolean): Operand => ({
    label: operand,
    runs,
    peakTree: (run) => loadPeakTree(ctx.contentDir, run),
    inLedger: true,
    single,
  });
  if (operand.startsWith("commit:")) {
    const sha = operand.slice("commit:".length).toLowerCase();
    if (!/^[0-9a-f]{4,40}$/.test(sha)) throw new OperandError(`${operand}: a commit selector needs 4 to 40 hex digits`);
    const runs = okRuns(ledger(ctx)).filter((r) => r.commit?.toLowerCase().startsWith(sha));
    const commits = new Set(runs.map((r) => r.commit));
    if (commits.size === 0) throw new OperandError(`${operand}: no run of that commit in ${ctx.contentDir}`);
    if (commits.size > 1) throw new OperandError(`${operand}: ambiguous, ${commits.size} commits start with ${sha}`);
    return ledgerOperand(newestPerSeries(runs), false);
  }
  if (operand.startsWith("branch:")) {
    const name = operand.slice("branch:".length);
    const runs = okRuns(ledger(ctx)).filter((r) => r.branch === name);
    if (runs.length === 0) throw new OperandError(`${operand}: no run on that branch in ${ctx.contentDir}`);
    // Every run of the branch: pairing picks, per series, the newest one (before the head's).
    return ledgerOperand(runs, false);
  }
  if (existsSync(operand) && statSync(operand).isFile()) return captureOperand(resolve(operand), side);
  const entry = ledger(ctx).find((r) => r.id === operand);
  if (entry) {
    if (entry.status !== "ok") throw new OperandError(`${operand}: that run failed (${entry.error})`);
    return ledgerOperand([entry], true);
  }
  throw new OperandError(`${operand}: not a capture file, a run id in ${ctx.contentDir}, commit:<sha> or branch:<name>`);
}

/** The pairs to compare: two single runs with each other; else, per head series, its base. */
export function pairOperands(base: Operand, head: Operand): Array<{ base: OkRunEntry | null; head: OkRunEntry }> {
  if (base.single && head.single) return [{ base: base.runs[0]!, head: head.runs[0]! }];
  return newestPerSeries(head.runs).map((h) => ({ base: newestOfSeriesBefore(base.runs, seriesName(h), h.timeMs, h.id), head: h }));
}

/** A run's peak tree from its data file, or null when pruned or unreadable. */
export function loadPeakTree(contentDir: string, run: OkRunEntry): DiffSource<number> | null {
  const ref: DataRef | null = run.dataPruned ? null : run.data.peak;
  if (!ref) return null;
  const tree = readDataFile(contentDir, ref) as ColumnarTree | null;
  return tree === null ? null : treeDataSource(decodeTree(tree));
}

export interface CompareResult {
  /** The operands as the report names them (a capture by its file name, never its path). */
  baseLabel: string;
  headLabel: string;
  comparisons: BenchmarkComparison[];
  /** Whether the site has a compare page for a pair (links go to the picker otherwise). */
  hasComparePage: (baseId: string, headId: string) => boolean;
}

/** Compare two operands given as strings. */
export async function compareOperands(ctx: LoadContext, baseText: string, headText: string, rule: RegressionRule, options: HistoryOptions = {}): Promise<CompareResult> {
  const base = await resolveOperand(ctx, baseText, "base");
  const head = await resolveOperand(ctx, headText, "head");
  const history = base.inLedger || head.inLedger ? buildHistory(ledger(ctx), { ...options, rule }) : null;
  const comparisons = pairOperands(base, head).map((p) =>
    compareBenchmark({
      base: p.base,
      head: p.head,
      baseInLedger: base.inLedger,
      headInLedger: head.inLedger,
      basePeak: p.base ? base.peakTree(p.base) : null,
      headPeak: head.peakTree(p.head),
      rule,
      drift: head.inLedger ? (history?.byId.get(p.head.id)?.drift ?? null) : null,
    }),
  );
  comparisons.sort(worstFirst);
  return { baseLabel: base.label, headLabel: head.label, comparisons, hasComparePage: (b, h) => history !== null && hasComparePage(history, b, h) };
}

/**
 * Each run against the base the history model gave it (`baseline`: against its baseline, the
 * lowest run of its drift window), worst first: what `compare HEAD` and `ci`'s comment report.
 */
export function compareWithBases(contentDir: string, heads: readonly SeriesRun[], rule: RegressionRule, baseline = false, driftRule: DriftRule = {}): BenchmarkComparison[] {
  const comparisons = heads
    .filter((run) => run.entry.status === "ok")
    .map((run) => {
      const h = run.entry as OkRunEntry;
      const base = baseline ? (run.drift?.baseline ?? null) : run.base;
      const baseEntry = base && base.entry.status === "ok" ? base.entry : null;
      const c = compareBenchmark({
        base: baseEntry,
        head: h,
        basePeak: baseEntry ? loadPeakTree(contentDir, baseEntry) : null,
        headPeak: loadPeakTree(contentDir, h),
        rule,
        baseKind: baseline ? "baseline" : run.baseKind,
        drift: run.drift,
        baselineWindow: baseline ? (run.drift?.windowRuns ?? null) : null,
      });
      // Against the baseline, growth is drift (the trend rule), not a step: worded and gated as such.
      if (baseline && baseEntry && run.drift) {
        c.regression = false;
        c.drift = isDrift(baseEntry.peakMemoryBytes, h.peakMemoryBytes, { ...driftRule, minBytes: driftRule.minBytes ?? rule.minBytes }) ? { baseline: c.base!, windowRuns: run.drift.windowRuns, peak: c.peak } : null;
      }
      return c;
    });
  return comparisons.sort(worstFirst);
}

/**
 * Compare each run `headText` names (a run id, `commit:<sha>` or `branch:<name>` in the ledger)
 * with the base the history model gives it, or with `baseline: true` its baseline (the lowest run
 * of the drift window: "+16% over the last 10 runs on main").
 */
export async function compareWithHistory(
  ctx: LoadContext,
  headText: string,
  rule: RegressionRule,
  options: HistoryOptions & { baseline?: boolean; drift?: DriftRule } = {},
): Promise<CompareResult> {
  const head = await resolveOperand(ctx, headText, "head");
  if (!head.inLedger) throw new OperandError(`${headText}: with one operand, HEAD must be in the history (a run id or commit:<sha>), not a capture file`);
  const history: History = buildHistory(ledger(ctx), { ...options, rule });
  const heads = (head.single ? head.runs : newestPerSeries(head.runs)).map((h) => history.byId.get(h.id)!);
  const comparisons = compareWithBases(ctx.contentDir, heads, rule, options.baseline ?? false, options.drift);
  const baseLabel = options.baseline ? `the baseline of each series (lowest of the last ${options.drift?.windowRuns ?? DEFAULT_DRIFT_WINDOW} runs on its default branch)` : "each run's base";
  return { baseLabel, headLabel: head.label, comparisons, hasComparePage: (b, h) => hasComparePage(history, b, h) };
}
