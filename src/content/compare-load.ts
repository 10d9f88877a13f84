/**
 * What `heaptrail compare` compares: its operands resolved to run entries (a capture file,
 * analysed in memory; a run id in the ledger; `commit:<sha>`; `branch:<name>`), paired per
 * series, and each pair compared with its peak trees.
 */
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { DiffSource } from "../analysis/diff.ts";
import type { RegressionRule } from "../shared/regression.ts";
import { decodeTree, encodeTree } from "./columnar.ts";
import { compareBenchmark, comparePairs, seriesOf, worstFirst, type BenchmarkComparison, type ComparePair } from "./compare.ts";
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

/** Newest run per series. */
function newestPerSeries(runs: OkRunEntry[]): OkRunEntry[] {
  const by = new Map<string, OkRunEntry>();
  for (const r of runs) {
    const prev = by.get(seriesOf(r));
    if (!prev || r.timeMs > prev.timeMs || (r.timeMs === prev.timeMs && r.id > prev.id)) by.set(seriesOf(r), r);
  }
  return [...by.values()];
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
  return newestPerSeries(head.runs).map((h) => {
    const candidates = base.runs.filter((r) => seriesOf(r) === seriesOf(h) && r.id !== h.id).sort((a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id));
    const before = candidates.filter((r) => r.timeMs <= h.timeMs);
    return { base: (before.length > 0 ? before : candidates).at(-1) ?? null, head: h };
  });
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
  /** The site's compare pages, for links. */
  pairs: ComparePair[];
}

/** Compare two operands given as strings. */
export async function compareOperands(ctx: LoadContext, baseText: string, headText: string, rule: RegressionRule): Promise<CompareResult> {
  const base = await resolveOperand(ctx, baseText, "base");
  const head = await resolveOperand(ctx, headText, "head");
  const comparisons = pairOperands(base, head).map((p) =>
    compareBenchmark({
      base: p.base,
      head: p.head,
      baseInLedger: base.inLedger,
      headInLedger: head.inLedger,
      basePeak: p.base ? base.peakTree(p.base) : null,
      headPeak: head.peakTree(p.head),
      rule,
    }),
  );
  comparisons.sort(worstFirst);
  return { baseLabel: base.label, headLabel: head.label, comparisons, pairs: base.inLedger || head.inLedger ? comparePairs(ledger(ctx)) : [] };
}
