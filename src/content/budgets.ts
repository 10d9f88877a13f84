/**
 * Memory budgets per test, like pytest-memray's `limit_memory` marker but kept in history:
 * `--budget 'tests/test_big.py::*=200MB' --budget '*=50MB'`, or a budget file with one
 * `PATTERN=SIZE` a line. Each run's budget is resolved at ingest and kept in its meta
 * (`meta.budget`, bytes), so the site marks the runs over budget and `heaptrail ci` fails on them.
 *
 * Patterns match the whole benchmark name (the pytest node id): `*` is any run of characters
 * (`/` and `::` included), `?` any one character, everything else is itself (brackets too, as
 * parametrized ids hold them). The first pattern that matches wins: put the specific ones first.
 *
 * Sizes: a number and a unit, B, KB, MB, GB (powers of 1000, as the site shows sizes) or KiB,
 * MiB, GiB (powers of 1024); no unit is bytes. pytest-memray's `limit_memory("50 MB")` counts
 * in powers of 1024: write `50MiB` for the same limit.
 * Browser-safe: no Node imports.
 */
import type { RunEntry } from "./schema.ts";

export interface Budget {
  pattern: string;
  sizeBytes: number;
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "200MB", "1.5 GiB", "4096": bytes; throws with what was expected. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] || "b").toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`expected a size such as 50MB or 1.5GiB (units B, KB, MB, GB, KiB, MiB, GiB), got "${text}"`);
  return Math.round(Number(m[1]) * unit);
}

/** `PATTERN=SIZE` (the last `=` splits: parameter ids may hold one). */
export function parseBudget(text: string): Budget {
  const eq = text.lastIndexOf("=");
  if (eq <= 0) throw new Error(`expected PATTERN=SIZE, got "${text}"`);
  return { pattern: text.slice(0, eq).trim(), sizeBytes: parseSize(text.slice(eq + 1)) };
}

/** A budget file: one `PATTERN=SIZE` a line; blank lines and `#` comments ignored. Errors name the line. */
export function parseBudgetFile(text: string, name: string): Budget[] {
  const budgets: Budget[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      budgets.push(parseBudget(line));
    } catch (e) {
      throw new Error(`${name}:${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return budgets;
}

function globRegExp(pattern: string): RegExp {
  const body = [...pattern].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&"))).join("");
  return new RegExp(`^${body}$`, "su");
}

/** The budget of a benchmark: the first pattern that matches, or null. */
export function budgetFor(benchmark: string, budgets: readonly Budget[]): number | null {
  for (const b of budgets) if (globRegExp(b.pattern).test(benchmark)) return b.sizeBytes;
  return null;
}

/** A budget matcher that compiles each pattern once (for thousands of tests). */
export function budgetMatcher(budgets: readonly Budget[]): (benchmark: string) => number | null {
  const compiled = budgets.map((b) => ({ re: globRegExp(b.pattern), sizeBytes: b.sizeBytes }));
  return (benchmark) => compiled.find((c) => c.re.test(benchmark))?.sizeBytes ?? null;
}

/** Over budget: the peak is above the run's budget (equal is within it, as in limit_memory). */
export function isOverBudget(run: { peakMemoryBytes: number; meta: { budget?: number | null } }): boolean {
  const budget = run.meta.budget;
  return typeof budget === "number" && run.peakMemoryBytes > budget;
}

/** A run over its budget, as the gate and the comment report it. */
export interface OverBudget {
  runId: string;
  benchmark: string;
  peakBytes: number;
  budgetBytes: number;
}

/** The successful runs over their budget, most over first. */
export function overBudgetRuns(runs: readonly RunEntry[]): OverBudget[] {
  const out: OverBudget[] = [];
  for (const r of runs) if (r.status === "ok" && isOverBudget(r)) out.push({ runId: r.id, benchmark: r.benchmark, peakBytes: r.peakMemoryBytes, budgetBytes: r.meta.budget! });
  return out.sort((a, b) => b.peakBytes - b.budgetBytes - (a.peakBytes - a.budgetBytes) || a.benchmark.localeCompare(b.benchmark));
}
