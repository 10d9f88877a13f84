/**
 * `heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations |
 *   --temporary-allocation-threshold N] [--inverted] [--split-threads] [--format folded|json] [-o FILE]`
 * memray's flame graph data: folded stacks (default) or the flame tree as JSON.
 */
import { invertedFlameTrees, flameTree, viewGroups, viewThreadName } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import { foldedStacks } from "../analysis/folded.ts";
import type { FlameView } from "../analysis/model.ts";
import { oneCapture, parseCommand, SYMBOL_OPTIONS, SYMBOLS_HELP, symbolsFor, TEMPORARY_OPTIONS, temporaryThreshold, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

const USAGE =
  "usage: heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations | --temporary-allocation-threshold N] " +
  "[--inverted] [--split-threads] [--format folded|json] [--no-symbols] [-o FILE]\n" +
  SYMBOLS_HELP;

export async function runFlamegraph(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      options: {
        leaks: { type: "boolean" },
        ...TEMPORARY_OPTIONS,
        inverted: { type: "boolean" },
        "split-threads": { type: "boolean" },
        format: { type: "string", default: "folded" },
        output: { type: "string", short: "o" },
        ...SYMBOL_OPTIONS,
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
  const view: FlameView = values.leaks ? "leaks" : temporary ? "temporary" : "peak";
  const mergeThreads = !values["split-threads"];
  const groups = viewGroups(capture, view, mergeThreads);
  const symbolize = symbolsFor(values, capture);
  if (groups === null) throw new UsageError("temporary allocations need an all-allocations capture (this one is aggregated)");

  let text: string;
  if (values.format === "json") {
    const tree = values.inverted
      ? invertedFlameTrees(capture, view, { mergeThreads, symbolize })!.inverted
      : flameTree(capture, view, { mergeThreads, symbolize })!;
    text = `${JSON.stringify(tree)}\n`;
  } else {
    text = foldedStacks(capture.tables, groups, {
      splitThreads: !mergeThreads,
      threadName: viewThreadName(capture, view),
      inverted: values.inverted ?? false,
      symbolize,
    });
  }
  await writeOutput(text, values.output, out);
  return 0;
}
