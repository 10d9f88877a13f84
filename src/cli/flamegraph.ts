/**
 * `heaptrail flamegraph CAPTURE [--leaks | --temporary-allocations |
 *   --temporary-allocation-threshold N] [--inverted] [--split-threads] [--format folded|json] [-o FILE]`
 * memray's flame graph data: folded stacks (default) or the flame tree as JSON.
 */
import { viewGroups, viewThreadName, viewTree } from "../analysis/analyze.ts";
import { collectCapture } from "../analysis/collect.ts";
import { foldedChunks } from "../analysis/folded.ts";
import { TreeFlag, type FlameColumns, type FlameView } from "../analysis/model.ts";
import { checkComplete, oneCapture, parseCommand, STRICT_OPTION, SYMBOL_OPTIONS, TEMPORARY_OPTIONS, temporaryThreshold, UsageError } from "./args.ts";
import { symbolsFor } from "./symbols-for.ts";
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

  const text =
    values.format === "json"
      ? flameTreeJson(viewTree(capture, view, { mergeThreads, inverted: values.inverted ?? false, symbolize })!)
      : foldedChunks(capture.tables, groups, {
          splitThreads: !mergeThreads,
          threadName: viewThreadName(capture, view),
          inverted: values.inverted ?? false,
          symbolize,
        });
  await writeOutput(text, values.output, out);
  return 0;
}

/** Text handed to the writer at a time: big enough to write efficiently, far below V8's string cap. */
const CHUNK_CHARS = 1 << 20;

/**
 * The flame tree as nested JSON objects (the FlameNode shape: function, filename, lineno, thread,
 * valueBytes, nAllocations, interesting, importSystem, children, then module and offset for
 * symbolized native frames), in chunks, written from the preorder columns without a node object.
 */
export function* flameTreeJson(tree: FlameColumns): Generator<string> {
  const open: number[] = [];
  const hasChild: boolean[] = [];
  let chunk = "";
  const close = (): void => {
    const f = tree.frames[tree.frame[open.pop()!]!]!;
    hasChild.pop();
    chunk += "]";
    if (f.module !== undefined) chunk += `,"module":${JSON.stringify(f.module)}${f.offset === undefined ? "" : `,"offset":${JSON.stringify(f.offset)}`}`;
    chunk += "}";
  };
  for (let i = 0; i < tree.size; i++) {
    const parent = tree.parent[i]!;
    while (open.length > 0 && open[open.length - 1] !== parent) close();
    if (open.length > 0) {
      if (hasChild[hasChild.length - 1]) chunk += ",";
      hasChild[hasChild.length - 1] = true;
    }
    const f = tree.frames[tree.frame[i]!]!;
    const flags = tree.flags[i]!;
    chunk +=
      `{"function":${JSON.stringify(f.function)},"filename":${JSON.stringify(f.filename)},"lineno":${JSON.stringify(f.lineno)},` +
      `"thread":${JSON.stringify(tree.threads[tree.thread[i]!])},"valueBytes":${JSON.stringify(tree.valueBytes[i])},"nAllocations":${JSON.stringify(tree.nAllocations[i])},` +
      `"interesting":${(flags & TreeFlag.INTERESTING) !== 0},"importSystem":${(flags & TreeFlag.IMPORT_SYSTEM) !== 0},"children":[`;
    open.push(i);
    hasChild.push(false);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  while (open.length > 0) close();
  yield `${chunk}\n`;
}
