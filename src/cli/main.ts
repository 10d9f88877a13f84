/**
 * heaptrail's command line: memray-style subcommands, each a thin wrapper over the library.
 * Exit codes: 0 success, 1 an error (a capture could not be read, a missing file, a build had
 * failures), 2 usage. Errors are one line; `--debug` adds the stack trace.
 */
import { CaptureError } from "../reader/index.ts";
import { errnoMessage, HelpRequest, UsageError, UserError } from "./args.ts";
import { runStats } from "./stats.ts";

type Command = (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  stats: { summary: "memray stats: totals, histogram, allocators, top locations", load: async () => runStats },
  flamegraph: {
    summary: "flame graph data of the peak, leaks or temporary allocations (folded or JSON)",
    load: async () => (await import("./flamegraph.ts")).runFlamegraph,
  },
  tree: { summary: "memray tree: the biggest allocation paths at the peak", load: async () => (await import("./tree.ts")).runTree },
  build: { summary: "build the report site from captures/ and the ledger into dist/", load: async () => (await import("./build.ts")).runBuild },
  ingest: { summary: "analyse captures into run entries of the history ledger (content/)", load: async () => (await import("./ingest.ts")).runIngest },
  remove: { summary: "remove runs from the history ledger", load: async () => (await import("./remove.ts")).runRemove },
  ci: { summary: "the CI flow: history branch, site, pull-request comment and gate", load: async () => (await import("./ci.ts")).runCi },
  compare: {
    summary: "compare two runs, commits or branches: a PR comment and a regression gate",
    load: async () => (await import("./compare.ts")).runCompare,
  },
};

const HELP = `heaptrail: memray captures → reports and a static site

usage: heaptrail <command> [options]

${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`).join("\n")}

Run "heaptrail <command> --help" for a command's options and their defaults.
Every command takes --debug: on an error, print its stack trace too.
`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out.write(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    out.write("heaptrail 0.1.0\n");
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    err.write(`heaptrail: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  const debug = rest.includes("--debug");
  try {
    return await (await command.load())(rest, out, err);
  } catch (e) {
    if (e instanceof HelpRequest) {
      out.write(e.usage);
      return 0;
    }
    if (e instanceof UsageError) {
      err.write(`heaptrail ${name}: ${e.message}\n${e.usage}`);
      return 2;
    }
    // Every other error is one line (file and what is wrong); the stack only with --debug.
    if (debug) err.write(`${(e as Error).stack ?? String(e)}\n`);
    if (e instanceof CaptureError) {
      err.write(`heaptrail ${name}: cannot read capture: ${e.message}\n`);
    } else if (e instanceof UserError) {
      err.write(`heaptrail ${name}: ${e.message}\n`);
    } else if (typeof (e as NodeJS.ErrnoException).code === "string" && (e as NodeJS.ErrnoException).syscall !== undefined) {
      err.write(`heaptrail ${name}: ${errnoMessage(e)}\n`);
    } else {
      const message = e instanceof Error ? e.message : String(e);
      err.write(`heaptrail ${name}: ${message.split("\n")[0]}${debug ? "" : " (run with --debug for details)"}\n`);
    }
    return 1;
  }
}
