/**
 * `heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations |
 *   --temporary-allocation-threshold N] [--inverted] [--split-threads] [--format folded|json] [-o FILE]`
 * memray's flame graph data: folded stacks (default) or the flame tree as JSON.
 */
import { parseArgs } from "node:util";
import { invertedFlameTrees, flameTree, viewGroups, viewThreadName } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import { foldedStacks } from "../analysis/folded.ts";
import type { FlameView } from "../analysis/model.ts";
import { writeOutput } from "./output.ts";

const USAGE =
  "usage: heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations | --temporary-allocation-threshold N] " +
  "[--inverted] [--split-threads] [--format folded|json] [-o FILE]\n";

export async function runFlamegraph(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        leaks: { type: "boolean" },
        "temporary-allocations": { type: "boolean" },
        "temporary-allocation-threshold": { type: "string" },
        inverted: { type: "boolean" },
        "split-threads": { type: "boolean" },
        format: { type: "string", default: "folded" },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const fail = (message: string): number => {
    process.stderr.write(`heaptrail flamegraph: ${message}\n${USAGE}`);
    return 2;
  };
  if (positionals.length !== 1) return fail("expected one capture file");
  if (values.format !== "folded" && values.format !== "json") return fail(`unknown format ${values.format}`);
  const thresholdText = values["temporary-allocation-threshold"];
  const temporary = values["temporary-allocations"] || thresholdText !== undefined;
  if (values.leaks && temporary) return fail("--leaks and --temporary-allocations exclude each other");
  const threshold = thresholdText === undefined ? 1 : Number(thresholdText);
  if (!Number.isInteger(threshold) || threshold < 0) return fail(`bad threshold ${thresholdText}`);

  const capture = collectCapture(positionals[0]!, { temporaryAllocationThreshold: threshold });
  const view: FlameView = values.leaks ? "leaks" : temporary ? "temporary" : "peak";
  const mergeThreads = !values["split-threads"];
  const groups = viewGroups(capture, view, mergeThreads);
  if (groups === null) return fail("temporary allocations need an all-allocations capture (this one is aggregated)");

  let text: string;
  if (values.format === "json") {
    const tree = values.inverted
      ? invertedFlameTrees(capture, view, { mergeThreads })!.inverted
      : flameTree(capture, view, { mergeThreads })!;
    text = `${JSON.stringify(tree)}\n`;
  } else {
    text = foldedStacks(capture.tables, groups, {
      splitThreads: !mergeThreads,
      threadName: viewThreadName(capture, view),
      inverted: values.inverted ?? false,
    });
  }
  await writeOutput(text, values.output, out);
  return 0;
}
