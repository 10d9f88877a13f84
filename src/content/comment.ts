/**
 * The comparison as a pull-request comment (markdown), as JSON, or as plain text. The markdown
 * is an mdast tree stringified by remark (GFM tables), never concatenated: every untrusted
 * string (function and file names, messages, branch names) is a text or inline-code node, which
 * remark escapes (backticks, pipes in tables, HTML).
 */
import type { InlineCode, Link, PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from "mdast";
import remarkGfm from "remark-gfm";
import remarkStringify from "remark-stringify";
import { unified } from "unified";
import { formatBytes, formatChange, formatCount, runLabel } from "../shared/format.ts";
import type { BenchmarkComparison, Metric } from "./compare.ts";
import { urls } from "./urls.ts";

/** The hidden first line: a CI step finds its own comment by it and edits it instead of adding one. */
export const COMMENT_MARKER = "<!-- heaptrail:compare -->";

export interface CompareReport {
  /** What was compared, as given (`commit:abc`, a run id, a file name). */
  base: string;
  head: string;
  rule: { failAbovePct: number; minBytes: number };
  /** True when `--fail-above` was given: regressions then fail the command. */
  gate: boolean;
  /** One row per benchmark of the head, worst first. */
  comparisons: BenchmarkComparison[];
  /** True when the gate is on and a comparison is a regression. */
  failed: boolean;
}

export interface RenderOptions {
  /** The published site (`https://o.github.io/repo/`): links to run, commit and compare pages. */
  siteUrl?: string;
  /** Whether the site has a page for this pair (else the link goes to the picker). */
  hasComparePage?: (baseId: string, headId: string) => boolean;
}

const text = (value: string): PhrasingContent => ({ type: "text", value });
const code = (value: string): InlineCode => ({ type: "inlineCode", value });
const strong = (value: string): PhrasingContent => ({ type: "strong", children: [text(value)] });
const link = (url: string, children: PhrasingContent[]): Link => ({ type: "link", url, children });
const cell = (...children: PhrasingContent[]): TableCell => ({ type: "tableCell", children });
const row = (...cells: TableCell[]): TableRow => ({ type: "tableRow", children: cells });
const para = (...children: PhrasingContent[]): RootContent => ({ type: "paragraph", children });

/** "+25.1 MB (+40.5%)", "±0", "n/a". */
export function formatDelta(m: Metric, unit: "bytes" | "count"): string {
  if (m.deltaBytes === null) return "n/a";
  return formatChange(m.deltaBytes, m.deltaPct, unit === "bytes" ? formatBytes : formatCount, "±0");
}

/** The byte threshold as given: 1048576 is "1 MiB", not "1.05 MB". */
function formatThreshold(n: number): string {
  return n > 0 && n % 1048576 === 0 ? `${n / 1048576} MiB` : formatBytes(n);
}

function value(n: number | null, unit: "bytes" | "count"): string {
  if (n === null) return "n/a";
  return unit === "bytes" ? formatBytes(n) : formatCount(n);
}

export function statusOf(c: BenchmarkComparison): string {
  if (c.base === null) return "no base";
  if (c.settingsDifferences.length > 0) return "settings differ";
  if (c.regression) return "regression";
  if (c.drift) return "drift";
  const d = c.peak.deltaBytes ?? 0;
  return d < 0 ? "smaller" : d > 0 ? "larger" : "same";
}

function siteLink(siteUrl: string | undefined, path: string): string | null {
  if (!siteUrl) return null;
  return `${siteUrl.endsWith("/") ? siteUrl : `${siteUrl}/`}${path}`;
}

/** The picker's URL for two runs (its state lives in the hash). */
export function pickerPath(benchmark: string, baseId: string, headId: string): string {
  const p = new URLSearchParams({ benchmark, base: baseId, head: headId });
  return `compare/#${p.toString()}`;
}

function comparePath(c: BenchmarkComparison, options: RenderOptions): string | null {
  if (!c.base || !c.base.inLedger || !c.head.inLedger) return null;
  return options.hasComparePage?.(c.base.id, c.head.id) ? urls.compare(c.base.id, c.head.id) : pickerPath(c.head.benchmark, c.base.id, c.head.id);
}

function summaryTable(report: CompareReport, options: RenderOptions): Table {
  const header = row(...["Benchmark", "Peak", "Δ peak", "Leaked", "Δ leaked", "Allocations", "Δ allocations", "Status"].map((h) => cell(text(h))));
  const rows = report.comparisons.map((c) => {
    const runUrl = c.head.inLedger ? siteLink(options.siteUrl, urls.run(c.head.id)) : null;
    return row(
      cell(runUrl ? link(runUrl, [text(c.series)]) : text(c.series)),
      cell(text(value(c.peak.head, "bytes"))),
      cell(text(formatDelta(c.peak, "bytes"))),
      cell(text(value(c.leaked.head, "bytes"))),
      cell(text(formatDelta(c.leaked, "bytes"))),
      cell(text(value(c.allocations.head, "count"))),
      cell(text(formatDelta(c.allocations, "count"))),
      cell(c.regression ? strong(statusOf(c)) : text(statusOf(c))),
    );
  });
  return { type: "table", align: ["left", "right", "right", "right", "right", "right", "right", "left"], children: [header, ...rows] };
}

function callSiteTable(c: BenchmarkComparison): Table {
  const header = row(...["Call site", "Base", "Head", "Δ"].map((h) => cell(text(h))));
  const rows = c.callSites.map((s) =>
    row(
      cell(code(s.function), ...(s.filename ? [text(` at ${s.filename}:${s.lineno}`)] : [])),
      cell(text(formatBytes(s.baseBytes))),
      cell(text(formatBytes(s.headBytes))),
      cell(text(formatChange(s.deltaBytes, null, formatBytes))),
    ),
  );
  return { type: "table", align: ["left", "right", "right", "right"], children: [header, ...rows] };
}

function runName(r: { id: string; commit: string | null; branch: string | null }): string {
  return runLabel(r.commit, null, r.id);
}

/** Why the base is the base, when the history chose it: " (baseline: lowest of the last 6 runs on main)". */
function baseNote(c: BenchmarkComparison): string {
  if (c.baseKind === "baseline") return ` (baseline: the lowest of the last ${c.baselineWindow ?? "?"} runs on ${c.base?.branch ?? "the default branch"})`;
  if (c.baseKind === "pr" || c.baseKind === "branch-start") return ` (${c.base?.branch ?? "the base branch"}'s run at or before it)`;
  return "";
}

/** "peak +4.40 MB (+16.0%) over the lowest of the last 6 runs on main (b1c9675), with no single step over the rule." */
export function driftSentence(c: BenchmarkComparison): string | null {
  if (!c.drift || c.regression) return null;
  const d = c.drift;
  const over = `peak ${formatDelta(d.peak, "bytes")} over the lowest of the last ${d.windowRuns} run${d.windowRuns === 1 ? "" : "s"} on ${d.baseline.branch ?? "the default branch"} (${runName(d.baseline)})`;
  // Against the baseline the drift is the whole comparison; against a base, it is what no step shows.
  return c.baseKind === "baseline" ? `${over}.` : `${over}, with no single step over the rule.`;
}

/** The report as an mdast tree. */
export function reportTree(report: CompareReport, options: RenderOptions = {}): Root {
  const children: RootContent[] = [{ type: "html", value: COMMENT_MARKER }];
  children.push({ type: "heading", depth: 2, children: [text(`heaptrail: memory of ${report.head} against ${report.base}`)] });
  const rule = `peak or leaked bytes up by more than ${report.rule.failAbovePct}% and more than ${formatThreshold(report.rule.minBytes)}`;
  const regressions = report.comparisons.filter((c) => c.regression).length;
  const drifts = report.comparisons.filter((c) => c.drift && !c.regression).length;
  if (report.comparisons.length === 0) {
    children.push(para(text("No runs to compare: the head has no successful run.")));
    return { type: "root", children };
  }
  children.push(
    para(
      text(
        `${report.comparisons.length} benchmark${report.comparisons.length === 1 ? "" : "s"} compared; ` +
          `${regressions === 0 ? "no regression" : `${regressions} regression${regressions === 1 ? "" : "s"}`} (${rule})` +
          (drifts > 0 ? `; ${drifts} drifting (peak above the lowest of its recent runs on the default branch, with no single step that large)` : "") +
          (report.gate ? (report.failed ? ": the check fails." : ": the check passes.") : "."),
      ),
    ),
  );
  children.push(summaryTable(report, options));
  for (const c of report.comparisons) {
    const section: RootContent[] = [];
    for (const note of c.notes) section.push(para(text(note)));
    const drift = driftSentence(c);
    if (drift) section.push(para(strong("Drift:"), text(` ${drift}`)));
    if (c.callSites.length > 0) {
      const from = c.callSitesFrom === "diff" ? "bytes at peak" : "bytes at peak, from the runs' kept top call sites";
      section.push(para(text(`Call sites that changed most (${from}):`)));
      section.push(callSiteTable(c));
    }
    const links: PhrasingContent[] = [];
    const addLink = (label: string, path: string | null) => {
      const url = path === null ? null : siteLink(options.siteUrl, path);
      if (!url) return;
      if (links.length > 0) links.push(text(" · "));
      links.push(link(url, [text(label)]));
    };
    if (c.base) addLink("comparison", comparePath(c, options));
    if (c.head.inLedger) addLink(`run ${runName(c.head)}`, urls.run(c.head.id));
    if (c.head.commit && c.head.inLedger) addLink(`commit ${c.head.commit.slice(0, 7)}`, urls.commit(c.head.commit));
    if (c.base?.inLedger) addLink(`base run ${runName(c.base)}`, urls.run(c.base.id));
    if (links.length > 0) section.push(para(...links));
    if (section.length === 0) continue;
    children.push({ type: "heading", depth: 3, children: [text(c.series)] });
    if (c.base) children.push(para(text(`${runName(c.base)} → ${runName(c.head)}${baseNote(c)}`), ...(c.head.message ? [text(": "), { type: "emphasis", children: [text(c.head.message)] } as PhrasingContent] : [])));
    children.push(...section);
  }
  return { type: "root", children };
}

export function renderMarkdown(report: CompareReport, options: RenderOptions = {}): string {
  return unified().use(remarkGfm).use(remarkStringify, { bullet: "-", fences: true }).stringify(reportTree(report, options));
}

/** Plain text for a terminal: one line per benchmark, then the call sites. */
export function renderText(report: CompareReport): string {
  const lines: string[] = [`${report.head} against ${report.base}`];
  for (const c of report.comparisons) {
    lines.push(
      `${c.series}: peak ${value(c.peak.head, "bytes")} ${formatDelta(c.peak, "bytes")}, leaked ${value(c.leaked.head, "bytes")} ${formatDelta(c.leaked, "bytes")}, ` +
        `allocations ${value(c.allocations.head, "count")} ${formatDelta(c.allocations, "count")}: ${statusOf(c)}`,
    );
    for (const note of c.notes) lines.push(`  ${note}`);
    const drift = driftSentence(c);
    if (drift) lines.push(`  drift: ${drift}`);
    for (const s of c.callSites) lines.push(`  ${formatChange(s.deltaBytes, null, formatBytes)}  ${s.function} at ${s.filename}:${s.lineno}`);
  }
  const drift = report.comparisons.some((c) => c.drift && c.baseKind === "baseline") && !report.comparisons.some((c) => c.regression);
  if (report.gate) lines.push(report.failed ? `${drift ? "drift" : "regression"}: the check fails` : "no regression");
  return `${lines.join("\n")}\n`;
}
