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
import type { OverBudget } from "./budgets.ts";
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
  /** The head's runs over their memory budget (`--budget`): each fails the check. */
  overBudget?: OverBudget[];
}

export interface RenderOptions {
  /** The published site (`https://o.github.io/repo/`): links to run, commit and compare pages. */
  siteUrl?: string;
  /** Whether the site has a page for this pair (else the link goes to the picker). */
  hasComparePage?: (baseId: string, headId: string) => boolean;
  /** Rows per table (regressions; other changes), the rest counted. Default DEFAULT_MAX_ROWS. */
  maxRows?: number;
  /** The comment's length limit in characters. Default MAX_COMMENT_CHARS. */
  maxChars?: number;
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

function summaryTable(comparisons: readonly BenchmarkComparison[], options: RenderOptions): Table {
  const header = row(...["Benchmark", "Peak", "Δ peak", "Leaked", "Δ leaked", "Allocations", "Δ allocations", "Status"].map((h) => cell(text(h))));
  const rows = comparisons.map((c) => {
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

/** Rows per table of the comment by default (`--max-rows`): the rest are counted. */
export const DEFAULT_MAX_ROWS = 50;
/** GitHub refuses a comment over 65,536 characters: the comment stays under this, whatever the suite. */
export const MAX_COMMENT_CHARS = 60_000;

/** What the comment shows, in order: every regression (up to the cap), then the other benchmarks, biggest change first. */
export interface CommentSections {
  regressions: BenchmarkComparison[];
  /** Regressions past the cap: counted, on the site. */
  moreRegressions: number;
  /** The rest, capped: drifting ones first, then changed ones by the size of their change (peak, then leaked bytes), then those not compared, then the unchanged. */
  others: BenchmarkComparison[];
  /** The others past the cap, by kind. */
  moreOthers: { drift: number; changed: number; unchanged: number; notCompared: number };
  /** Every benchmark but the regressions, by kind. */
  counts: { drift: number; changed: number; unchanged: number; noBase: number; settingsDiffer: number };
}

const size = (m: Metric): number => Math.abs(m.deltaBytes ?? 0);
type Kind = "drift" | "changed" | "unchanged" | "notCompared";
const kindOf = (c: BenchmarkComparison): Kind =>
  c.drift
    ? "drift"
    : c.base === null || c.settingsDifferences.length > 0
      ? "notCompared"
      : size(c.peak) > 0 || size(c.leaked) > 0
        ? "changed"
        : "unchanged";
const KIND_ORDER: Record<Kind, number> = { drift: 0, changed: 1, notCompared: 2, unchanged: 3 };

/** The comparisons sorted into the comment's sections, each capped at `maxRows` rows. */
export function commentSections(comparisons: readonly BenchmarkComparison[], maxRows = DEFAULT_MAX_ROWS): CommentSections {
  const cap = Math.max(0, Math.floor(maxRows));
  const regressions = comparisons.filter((c) => c.regression);
  const others = comparisons
    .filter((c) => !c.regression)
    .map((c) => ({ c, kind: kindOf(c) }))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || size(b.c.peak) - size(a.c.peak) || size(b.c.leaked) - size(a.c.leaked) || a.c.series.localeCompare(b.c.series));
  const moreOthers = { drift: 0, changed: 0, unchanged: 0, notCompared: 0 };
  for (const o of others.slice(cap)) moreOthers[o.kind]++;
  const counts = { drift: 0, changed: 0, unchanged: 0, noBase: 0, settingsDiffer: 0 };
  for (const o of others) {
    if (o.kind === "notCompared") counts[o.c.base === null ? "noBase" : "settingsDiffer"]++;
    else counts[o.kind]++;
  }
  return {
    regressions: regressions.slice(0, cap),
    moreRegressions: Math.max(0, regressions.length - cap),
    others: others.slice(0, cap).map((o) => o.c),
    moreOthers,
    counts,
  };
}

/** HTML text for a `<summary>` (an html node: remark does not escape it), on one line. */
function htmlText(value: string): string {
  return value.replace(/\s+/g, " ").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** One benchmark's detail: notes, call sites and links, folded in `<details>`; null when there is none. */
function detailBlock(c: BenchmarkComparison, options: RenderOptions): RootContent[] | null {
  const section: RootContent[] = [];
  if (c.base) section.push(para(text(`${runName(c.base)} → ${runName(c.head)}${baseNote(c)}`), ...(c.head.message ? [text(": "), { type: "emphasis", children: [text(c.head.message)] } as PhrasingContent] : [])));
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
  if (section.length === (c.base ? 1 : 0)) return null;
  return [{ type: "html", value: `<details>\n<summary>${htmlText(c.series)}: ${htmlText(statusOf(c))} (${htmlText(formatDelta(c.peak, "bytes"))} peak)</summary>` }, ...section, { type: "html", value: "</details>" }];
}

const stringify = (children: RootContent[]): string =>
  unified().use(remarkGfm).use(remarkStringify, { bullet: "-", fences: true }).stringify({ type: "root", children });

/** The runs over budget: a table (capped), the rest counted. */
function budgetBlocks(over: readonly OverBudget[], options: RenderOptions, maxRows: number): RootContent[] {
  if (over.length === 0) return [];
  const header = row(...["Benchmark", "Peak", "Budget", "Over by"].map((h) => cell(text(h))));
  const rows = over.slice(0, Math.max(0, maxRows)).map((o) => {
    const url = siteLink(options.siteUrl, urls.run(o.runId));
    return row(cell(url ? link(url, [text(o.benchmark)]) : text(o.benchmark)), cell(text(formatBytes(o.peakBytes))), cell(text(formatBytes(o.budgetBytes))), cell(strong(`+${formatBytes(o.peakBytes - o.budgetBytes)}`)));
  });
  const out: RootContent[] = [
    { type: "heading", depth: 3, children: [text(`Over budget (${formatCount(over.length)})`)] },
    { type: "table", align: ["left", "right", "right", "right"], children: [header, ...rows] },
  ];
  if (over.length > rows.length) out.push(para(strong(`…and ${plural(over.length - rows.length, "more benchmark")} over budget.`)));
  return out;
}

/** The comment's head part: title, summary, the link to everything, the capped tables, the counts. */
function headBlocks(report: CompareReport, options: RenderOptions, s: CommentSections, maxRows: number): RootContent[] {
  const children: RootContent[] = [{ type: "html", value: COMMENT_MARKER }];
  children.push({ type: "heading", depth: 2, children: [text(`heaptrail: memory of ${report.head} against ${report.base}`)] });
  const rule = `peak or leaked bytes up by more than ${report.rule.failAbovePct}% and more than ${formatThreshold(report.rule.minBytes)}`;
  const regressions = s.regressions.length + s.moreRegressions;
  const over = report.overBudget?.length ?? 0;
  const n = report.comparisons.length;
  children.push(
    para(
      text(
        `${plural(n, "benchmark")} compared; ` +
          `${regressions === 0 ? "no regression" : plural(regressions, "regression")} (${rule})` +
          (s.counts.drift > 0 ? `; ${formatCount(s.counts.drift)} drifting (peak above the lowest of its recent runs on the default branch, with no single step that large)` : "") +
          (over > 0 ? `; ${plural(over, "benchmark")} over budget` : "") +
          (report.gate || over > 0 ? (report.failed || over > 0 ? ": the check fails." : ": the check passes.") : "."),
      ),
    ),
  );
  const commits = new Set(report.comparisons.filter((c) => c.head.inLedger && c.head.commit).map((c) => c.head.commit!));
  const commitUrl = commits.size === 1 ? siteLink(options.siteUrl, urls.commit([...commits][0]!)) : null;
  if (commitUrl) children.push(para(text("Every benchmark of this commit: "), link(commitUrl, [text(`commit ${[...commits][0]!.slice(0, 7)}`)]), text(".")));
  const onSite = commitUrl ? " (all on the commit page)" : "";
  children.push(...budgetBlocks(report.overBudget ?? [], options, maxRows));
  if (s.regressions.length > 0) {
    children.push({ type: "heading", depth: 3, children: [text(`Regressions (${formatCount(regressions)})`)] });
    children.push(summaryTable(s.regressions, options));
    if (s.moreRegressions > 0) children.push(para(strong(`…and ${plural(s.moreRegressions, "more regression")}${onSite}.`)));
  }
  if (s.others.length > 0) {
    const title = `${s.regressions.length > 0 ? "Other benchmarks" : "Benchmarks"}, ${s.counts.drift > 0 ? "drift first, then the biggest change" : "biggest change first"}`;
    children.push({ type: "heading", depth: 3, children: [text(title)] });
    children.push(summaryTable(s.others, options));
    const m = s.moreOthers;
    const hidden = m.drift + m.changed + m.unchanged + m.notCompared;
    if (hidden > 0) {
      const kinds = [m.drift > 0 ? `${formatCount(m.drift)} drifting` : null, m.changed > 0 ? `${formatCount(m.changed)} smaller changes` : null, m.notCompared > 0 ? `${formatCount(m.notCompared)} not compared` : null, m.unchanged > 0 ? `${formatCount(m.unchanged)} unchanged` : null];
      children.push(para(text(`…and ${plural(hidden, "more benchmark")}${onSite}: ${kinds.filter(Boolean).join(", ")}.`)));
    }
  }
  const k = s.counts;
  const rest = [
    k.changed > 0 ? `${formatCount(k.changed)} changed within the rule` : null,
    k.unchanged > 0 ? `${formatCount(k.unchanged)} unchanged (same peak and leaked bytes)` : null,
    k.noBase > 0 ? `${formatCount(k.noBase)} with no base run` : null,
    k.settingsDiffer > 0 ? `${formatCount(k.settingsDiffer)} whose capture settings differ from the base's (not compared)` : null,
  ].filter((x): x is string => x !== null);
  if (rest.length > 0 && n > 1) children.push(para(text(`${regressions > 0 ? "Besides the regressions: " : "In all: "}${rest.join("; ")}.`)));
  return children;
}

/**
 * The report as an mdast tree, at most `maxChars` characters once stringified: regressions
 * first (up to `maxRows`, the rest counted), then the biggest other changes, then one line for
 * the rest; each shown benchmark's detail folded in `<details>`, as many as fit. When even the
 * tables do not fit (very long names, a large `maxRows`), they are halved until they do.
 */
export function reportTree(report: CompareReport, options: RenderOptions = {}): Root {
  const maxChars = options.maxChars ?? MAX_COMMENT_CHARS;
  if (report.comparisons.length === 0) {
    const children: RootContent[] = [{ type: "html", value: COMMENT_MARKER }];
    children.push({ type: "heading", depth: 2, children: [text(`heaptrail: memory of ${report.head} against ${report.base}`)] });
    children.push(para(text("No runs to compare: the head has no successful run, or the base has none.")));
    const over = report.overBudget?.length ?? 0;
    if (over > 0) children.push(para(text(`${plural(over, "benchmark")} over budget: the check fails.`)));
    children.push(...budgetBlocks(report.overBudget ?? [], options, Math.min(options.maxRows ?? DEFAULT_MAX_ROWS, 200)));
    return { type: "root", children };
  }
  let rows = options.maxRows ?? DEFAULT_MAX_ROWS;
  let sections = commentSections(report.comparisons, rows);
  let children = headBlocks(report, options, sections, rows);
  // Room for the closing note on the details left out.
  const reserve = 200;
  while (rows > 0 && stringify(children).length > maxChars - reserve) {
    rows = Math.floor(rows / 2);
    sections = commentSections(report.comparisons, rows);
    children = headBlocks(report, options, sections, rows);
  }
  let length = stringify(children).length;
  const shown = [...sections.regressions, ...sections.others];
  let left = 0;
  for (const c of shown) {
    const block = detailBlock(c, options);
    if (block === null) continue;
    const blockLength = stringify(block).length + 2;
    if (left > 0 || length + blockLength > maxChars - reserve) {
      left++;
      continue;
    }
    children.push(...block);
    length += blockLength;
  }
  if (left > 0) children.push(para(text(`Detail of ${plural(left, "more benchmark")} left out to keep this comment short: see the site.`)));
  return { type: "root", children };
}

export function renderMarkdown(report: CompareReport, options: RenderOptions = {}): string {
  return stringify(reportTree(report, options).children);
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
