/**
 * What `heaptrail compare` compares: its operands resolved to run entries (a capture file,
 * analysed into a scratch content folder; a run id in the ledger; `commit:<sha>`;
 * `branch:<name>`), paired per series, and each pair compared with its peak trees.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { treeDataSource, type DiffSource } from "./diff.ts";
import type { RegressionRule } from "../shared/regression.ts";
import { decodeTree } from "./columnar.ts";
import { compareBenchmark, comparePairs, seriesOf, worstFirst, type BenchmarkComparison, type ComparePair } from "./compare.ts";
import type { ColumnarTree, DataRef, OkRunEntry, RunEntry } from "./schema.ts";
import { publicDir, readEntry, runsDir, writeRun } from "./write.ts";
import { readMetaFile } from "./provenance.ts";

/** An operand that names nothing: the command reports it as a usage error. */
export class OperandError extends Error {}

/** Every readable entry of a ledger (unreadable ones are skipped: one bad file must not stop a comparison). */
export function readLedger(contentDir: string): RunEntry[] {
  const dir = runsDir(contentDir);
  if (!existsSync(dir)) return [];
  const ids = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => f.slice(0, -".json".length));
  return ids.map((id) => readEntry(contentDir, id)).filter((e): e is RunEntry => e !== null);
}

/** A resolved operand: the runs it names (one per series at most), and where their data lives. */
export interface Operand {
  label: string;
  runs: OkRunEntry[];
  /** Content folder holding the runs' data files. */
  contentDir: string;
  inLedger: boolean;
  /** A single run (a file or a run id), compared with whatever the other side names. */
  single: boolean;
}

export interface LoadContext {
  contentDir: string;
  /** Scratch folder for analysed capture files; removed by `close`. */
  scratch: string | null;
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

/** Analyse a capture file into the scratch folder; its entry names it by its file name. */
async function captureOperand(ctx: LoadContext, path: string, side: string): Promise<Operand> {
  const { analyzeCapture } = await import("../analysis/analyze.ts");
  if (ctx.scratch === null) ctx.scratch = mkdtempSync(join(tmpdir(), "heaptrail-compare-"));
  const fileName = basename(path);
  const meta = readMetaFile(path);
  const entry = writeRun(analyzeCapture(path, {}), {
    runId: side,
    captureHash: "",
    meta,
    fileName,
    contentDir: ctx.scratch,
    noSource: true,
    fileSizeBytes: statSync(path).size,
  });
  return { label: fileName, runs: [entry], contentDir: ctx.scratch, inLedger: false, single: true };
}

/** Resolve one operand (see the module comment). `side` names its scratch run ("base"/"head"). */
export async function resolveOperand(ctx: LoadContext, operand: string, side: "base" | "head"): Promise<Operand> {
  const ledgerOperand = (runs: OkRunEntry[], single: boolean): Operand => ({ label: operand, runs, contentDir: ctx.contentDir, inLedger: true, single });
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
  if (existsSync(operand) && statSync(operand).isFile()) return captureOperand(ctx, resolve(operand), side);
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
  const path = join(publicDir(contentDir), ref.path);
  if (!existsSync(path)) return null;
  return treeDataSource(decodeTree(JSON.parse(readFileSync(path, "utf8")) as ColumnarTree));
}

export interface CompareResult {
  /** The operands as the report names them (a capture by its file name, never its path). */
  baseLabel: string;
  headLabel: string;
  comparisons: BenchmarkComparison[];
  /** The site's compare pages, for links. */
  pairs: ComparePair[];
}

/** Compare two operands given as strings; `close` the context afterwards. */
export async function compareOperands(ctx: LoadContext, baseText: string, headText: string, rule: RegressionRule): Promise<CompareResult> {
  const base = await resolveOperand(ctx, baseText, "base");
  const head = await resolveOperand(ctx, headText, "head");
  const comparisons = pairOperands(base, head).map((p) =>
    compareBenchmark({
      base: p.base,
      head: p.head,
      baseInLedger: base.inLedger,
      headInLedger: head.inLedger,
      basePeak: p.base ? loadPeakTree(base.contentDir, p.base) : null,
      headPeak: loadPeakTree(head.contentDir, p.head),
      rule,
    }),
  );
  comparisons.sort(worstFirst);
  return { baseLabel: base.label, headLabel: head.label, comparisons, pairs: base.inLedger || head.inLedger ? comparePairs(ledger(ctx)) : [] };
}

export function closeContext(ctx: LoadContext): void {
  if (ctx.scratch) rmSync(ctx.scratch, { recursive: true, force: true });
  ctx.scratch = null;
}
