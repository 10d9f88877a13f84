/**
 * `heaptrail tree CAPTURE [-b N] [--temporary-allocations | --temporary-allocation-threshold N]`
 * memray's `tree`: the biggest allocation paths at the peak (or among temporary allocations),
 * 📂 for callers and 📄 for allocating frames, coloured by share only on a terminal.
 */
import { viewGroups, viewThreadName } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import type { TreeSummaryNode } from "../analysis/model.ts";
import { buildTreeSummary } from "../analysis/tree-summary.ts";
import { formatBytes, treeShareColour } from "../shared/format.ts";
import { checkComplete, oneCapture, parseCommand, STRICT_OPTION, SYMBOL_OPTIONS, TEMPORARY_OPTIONS, temporaryThreshold, UsageError } from "./args.ts";
import { symbolsFor } from "./symbols-for.ts";

const USAGE = "usage: heaptrail tree CAPTURE [-b N] [--temporary-allocations | --temporary-allocation-threshold N] [--strict] [--no-symbols]\n";

/** Children with uninteresting nodes replaced by their own (visible) children, biggest first. */
function visibleChildren(node: TreeSummaryNode): TreeSummaryNode[] {
  const out: TreeSummaryNode[] = [];
  for (const c of node.children) {
    if (c.interesting || c.elided) out.push(c);
    else out.push(...visibleChildren(c));
  }
  return out.sort((a, b) => b.valueBytes - a.valueBytes);
}

export function renderTree(root: TreeSummaryNode, colour: boolean): string {
  const lines: string[] = [];
  const total = root.valueBytes || 1;
  const label = (n: TreeSummaryNode, hasChildren: boolean): string => {
    const pct = (100 * n.valueBytes) / total;
    let size = `${formatBytes(n.valueBytes)} (${pct.toFixed(2)} %)`;
    if (colour) {
      const [r, g, b] = treeShareColour(n.valueBytes, total);
      size = `\u001b[38;2;${r};${g};${b}m${size}\u001b[0m`;
    }
    const where = n.elided || n === root ? "" : `  ${n.lineno === 0 ? n.filename : `${n.filename}:${n.lineno}`}`;
    return `${hasChildren ? "📂" : "📄"} ${size} ${n.function}${where}`;
  };
  const walk = (n: TreeSummaryNode, prefix: string, childPrefix: string): void => {
    const kids = visibleChildren(n);
    lines.push(`${prefix}${label(n, kids.length > 0)}`);
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      walk(k, `${childPrefix}${last ? "└── " : "├── "}`, `${childPrefix}${last ? "    " : "│   "}`);
    });
  };
  walk(root, "", "");
  return `${lines.join("\n")}\n`;
}

export async function runTree(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      description: "memray tree: the biggest allocation paths live at the peak (or among temporary allocations), callers 📂 above allocating frames 📄, coloured by share on a terminal.",
      operands: [["CAPTURE", "a memray capture file (.bin), raw or LZ4, any header version"]],
      options: {
        "biggest-allocs": { type: "string", short: "b", default: "200", metavar: "N", help: "show the N biggest allocation paths" },
        ...TEMPORARY_OPTIONS,
        ...STRICT_OPTION,
        ...SYMBOL_OPTIONS,
      },
    },
    USAGE,
  );
  const path = oneCapture(positionals, USAGE);
  const biggest = Number(values["biggest-allocs"]);
  if (!Number.isInteger(biggest) || biggest < 1) throw new UsageError(`-b/--biggest-allocs takes a whole number ≥ 1, got ${values["biggest-allocs"]}`, USAGE);
  const thresholdOrNull = temporaryThreshold(values, USAGE);
  const temporary = thresholdOrNull !== null;
  const threshold = thresholdOrNull ?? 1;

  const capture = collectCapture(path, { temporaryAllocationThreshold: threshold });
  checkComplete(path, capture.summary, values.strict, err);
  const view = temporary ? "temporary" : "peak";
  const groups = viewGroups(capture, view, false);
  if (groups === null) throw new UsageError("temporary allocations need an all-allocations capture (this one is aggregated)");
  const root = buildTreeSummary(capture.tables, groups, { biggestAllocs: biggest, threadName: viewThreadName(capture, view), symbolize: symbolsFor(values, capture) });
  const isTty = (out as { isTTY?: boolean }).isTTY === true;
  out.write(renderTree(root, isTty));
  return 0;
}
