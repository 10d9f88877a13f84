/**
 * `heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations |
 *   --temporary-allocation-threshold N] [--inverted] [--split-threads] [--format folded|json] [-o FILE]`
 * memray's flame graph data: folded stacks (default) or the flame tree as JSON.
 */
import { invertedFlameTrees, flameTree, viewGroups, viewThreadName } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import { foldedStacks } from "../analysis/folded.ts";
import type { FlameView } from "../analysis/model.ts";
import { checkComplete, oneCapture, parseCommand, STRICT_OPTION, SYMBOL_OPTIONS, symbolsFor, TEMPORARY_OPTIONS, temporaryThreshold, UsageError } from "./args.ts";
import { writeOutput } from "./output.ts";

const USAGE =
  "usage: heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations | --temporary-allocation-threshold N] " +
  "[--inverted] [--split-threads] [--format folded|json] [-o FILE] [--strict] [--no-symbols]\n";

export async function runFlamegraph(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseCommand(
    {
      args: argv,
      allowPositionals: true,
      description: "memray flamegraph's data: the stacks live at the peak (default), at exit (--leaks) or of temporary allocations, as folded stacks for inferno, flamegraph.pl or speedscope, or as the flame tree in JSON.",
      operands: [["CAPTURE", "a memray capture file (.bin), raw or LZ4, any header version"]],
      options: {
        leaks: { type: "boolean", help: "show memory still allocated at exit instead of at the peak" },
        ...TEMPORARY_OPTIONS,
        inverted: { type: "boolean", help: "invert the stacks: allocating functions first, callers after" },
        "split-threads": { type: "boolean", help: "one tree per thread instead of all threads merged" },
        format: { type: "string", default: "folded", metavar: "folded|json", help: "folded stacks (\"f (file:line);g (file:line) BYTES\") or the flame tree as JSON" },
        output: { type: "string", short: "o", metavar: "FILE", help: "write to FILE (atomically) instead of standard output", defaultText: "standard output" },
        ...STRICT_OPTION,
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
  checkComplete(path, capture.summary, values.strict, err);
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
