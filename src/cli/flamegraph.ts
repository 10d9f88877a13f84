/**
 * `heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations |
 *   --temporary-allocation-threshold N] [--inverted] [--split-threads] [--format folded|json] [-o FILE]`
 * memray's flame graph data: folded stacks (default) or the flame tree as JSON.
 */
import { invertedFlameTrees, flameTree, viewGroups, viewThreadName } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import { foldedStacks } from "../analysis/folded.ts";
import type { FlameView } from "../analysis/model.ts";
import { checkComplete, oneCapture, parseCommand, STRICT_OPTION, TEMPORARY_OPTIONS, temporaryThreshold, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

const USAGE =
  "usage: heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations | --temporary-allocation-threshold N] " +
  "[--inverted] [--split-threads] [--format folded|json] [-o FILE] [--strict]\n";

export async function runFlamegraph(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      options: {
        leaks: { type: "boolean" },
        ...TEMPORARY_OPTIONS,
        ...STRICT_OPTION,
        inverted: { type: "boolean" },
        "split-threads": { type: "boolean" },
        format: { type: "string", default: "folded" },
        output: { type: "string", short: "o" },
      },
    },
    USAGE,
  );
  const path = oneCapture(positionals, USAGE);
  if (values.format !== "folded" && values.format !== "json") throw new UsageError(`unknown format ${values.format}`, USAGE);
  const thresholdOrNull = temporaryThreshold(values, USAGE);
  const temporary = thresholdOrNull !== null;
  if (values.leaks && temporary) throw new UsageError("--leaks and --temporary-allocations exclude each other", USAGE);
  const threshold = thresholdOrNull ?? 1;

  const capture = collectCapture(path, { temporaryAllocationThreshold: threshold });
  checkComplete(path, capture.summary, values.strict, err);
  const view: FlameView = values.leaks ? "leaks" : temporary ? "temporary" : "peak";
  const mergeThreads = !values["split-threads"];
  const groups = viewGroups(capture, view, mergeThreads);
  if (groups === null) throw new UsageError("temporary allocations need an all-allocations capture (this one is aggregated)");

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
