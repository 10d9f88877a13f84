/**
 * Argument parsing shared by the commands: memray's flag names, one way to report misuse.
 * A command throws UsageError; `main` prints it with the command's usage and exits 2.
 */
import { statSync, type Stats } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  readonly usage: string;

  constructor(message: string, usage = "") {
    super(message);
    this.usage = usage;
  }
}

/** `-h/--help` was given: `main` prints the command's usage and exits 0. */
export class HelpRequest extends Error {
  readonly usage: string;

  constructor(usage: string) {
    super("help requested");
    this.usage = usage;
  }
}

/** A user error that is not misuse (a missing file, say): one line, exit 1, no usage. */
export class UserError extends Error {}

/** An option as parseArgs takes it, plus what `--help` says about it. */
export interface DocumentedOption {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[] | boolean[];
  /** One line of meaning, shown by --help. */
  help?: string;
  /** The value's name in --help ("N", "FILE"); default: the option's name in capitals. */
  metavar?: string;
  /** The default as --help shows it, when the value itself says little ("off", "1/2000"). */
  defaultText?: string;
}

export interface CommandConfig extends Omit<ParseArgsConfig, "options"> {
  options?: Record<string, DocumentedOption>;
  /** One paragraph under the usage line of --help. */
  description?: string;
  /** Positional arguments and their meaning, for --help. */
  operands?: Array<[name: string, help: string]>;
}

const HELP_OPTION: DocumentedOption = { type: "boolean", short: "h", help: "show this help and exit" };
const DEBUG_OPTION: DocumentedOption = { type: "boolean", help: "on an error, print its stack trace too" };

/** memray-style help: usage, description, positional arguments, then every option with its default. */
export function helpText(config: CommandConfig, usage: string): string {
  const rows: Array<[string, string]> = [];
  const options = { help: HELP_OPTION, ...config.options, debug: DEBUG_OPTION };
  for (const [name, o] of Object.entries(options)) {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.metavar ?? name.toUpperCase().replace(/-/g, "_")}` : ""}`;
    let text = o.help ?? "";
    const shown = o.defaultText ?? (o.type === "string" && o.default !== undefined && String(o.default) !== "" ? String(o.default) : undefined);
    if (shown !== undefined) text += ` (default: ${shown})`;
    rows.push([flag, text.trim()]);
  }
  const width = Math.min(32, Math.max(...rows.map(([f]) => f.length), ...(config.operands ?? []).map(([n]) => n.length)) + 2);
  const table = (list: Array<[string, string]>) =>
    list.map(([left, right]) => (left.length + 2 > width ? `  ${left}\n  ${" ".repeat(width)}${right}` : `  ${left.padEnd(width)}${right}`)).join("\n");
  const parts = [usage.trimEnd()];
  if (config.description) parts.push(config.description);
  if (config.operands?.length) parts.push(`positional arguments:\n${table(config.operands)}`);
  parts.push(`options:\n${table(rows)}`);
  return `${parts.join("\n\n")}\n`;
}

/**
 * `parseArgs`, plus `-h/--help` for every command (it throws HelpRequest with the command's full
 * help) and `--debug` (read by `main`); a parse failure becomes a UsageError with `usage`.
 */
export function parseCommand<T extends CommandConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<Omit<T, "description" | "operands"> & { options: NonNullable<T["options"]> }>> {
  const options: ParseArgsConfig["options"] = {};
  for (const [name, o] of Object.entries({ ...config.options, help: HELP_OPTION, debug: DEBUG_OPTION })) {
    const { help: _help, metavar: _metavar, defaultText: _defaultText, ...plain } = o;
    options[name] = plain as NonNullable<ParseArgsConfig["options"]>[string];
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: config.args, allowPositionals: config.allowPositionals, strict: config.strict, tokens: config.tokens, allowNegative: config.allowNegative, options });
  } catch (e) {
    throw new UsageError((e as Error).message, usage);
  }
  if (parsed.values.help === true) throw new HelpRequest(helpText(config, usage));
  return parsed as never;
}

/** The flags `--temporary-allocations` and `--temporary-allocation-threshold N`. */
export const TEMPORARY_OPTIONS = {
  "temporary-allocations": {
    type: "boolean",
    help: "show temporary allocations (freed before the next allocation) instead of the peak; same as --temporary-allocation-threshold 1",
  },
  "temporary-allocation-threshold": {
    type: "string",
    metavar: "N",
    help: "an allocation is temporary when freed within N later allocations (memray's rule)",
    defaultText: "off; 1 with --temporary-allocations",
  },
} as const;

/** memray's temporary-allocation threshold: null when neither flag is given (1 for the bare flag). */
export function temporaryThreshold(
  values: { "temporary-allocations"?: boolean; "temporary-allocation-threshold"?: string },
  usage: string,
): number | null {
  const text = values["temporary-allocation-threshold"];
  if (text === undefined) return values["temporary-allocations"] ? 1 : null;
  const threshold = Number(text);
  if (!Number.isInteger(threshold) || threshold < 0) {
    throw new UsageError(`--temporary-allocation-threshold takes a whole number ≥ 0, got ${text}`, usage);
  }
  return threshold;
}

/** The one capture file a command reads: it must exist and be a file. */
export function oneCapture(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError("expected one capture file", usage);
  const path = positionals[0]!;
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UserError(errnoMessage(e, path));
  }
  if (st.isDirectory()) throw new UserError(`${path}: is a folder, not a capture file`);
  return path;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or folder",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of this path is not a folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  ENAMETOOLONG: "name too long",
  ELOOP: "too many levels of symbolic links",
};

/** A file-system error as one line: the path, then what is wrong in words (and its code). */
export function errnoMessage(e: unknown, path?: string): string {
  const err = e as NodeJS.ErrnoException;
  const where = path ?? err.path ?? (err as { dest?: string }).dest ?? "";
  const what = err.code && ERRNO_TEXT[err.code] ? `${ERRNO_TEXT[err.code]} (${err.code})` : (err.message ?? String(e));
  return where ? `${where}: ${what}` : what;
}

/** `--strict`: an incomplete capture (cut, killed, corrupt) is an error, not a warning. */
export const STRICT_OPTION = {
  strict: { type: "boolean", default: false, help: "fail (exit 1) on an incomplete capture (a killed process) instead of warning" },
} as const;

/** An incomplete capture under `--strict`: `main` prints it and exits 1. */
export class IncompleteCapture extends UserError {}

/**
 * Say on stderr that `path` is incomplete and where its data stopped (every command does), or,
 * under `--strict`, fail. The warning names the byte offset; `endOffset` is where good data ended.
 */
export function checkComplete(
  path: string,
  read: { complete: boolean; warning: string | null; endOffset: number; compressed: boolean },
  strict: boolean,
  err: NodeJS.WritableStream,
): void {
  if (read.complete) return;
  const where = `data stops at byte ${read.endOffset}${read.compressed ? " of the decompressed stream" : ""}`;
  const text = `${path}: incomplete capture (${where}): ${read.warning ?? "no TRAILER"}`;
  if (strict) throw new IncompleteCapture(`${text} (--strict)`);
  err.write(`warning: ${text}\n`);
}

/** `--no-symbols`: native captures are symbolized (memray's hybrid stacks) unless it is given. */
export const SYMBOL_OPTIONS = {
  "no-symbols": {
    type: "boolean",
    help: "native (--native) captures: keep Python frames only; by default native frames are symbolized with this machine's ELF and debug files, as memray does (a missing image is reported once). The parsed debug info is cached per build id in <content>/.cache/symbols (ingest, build, ci) or ~/.cache/heaptrail/symbols (flamegraph, tree; $XDG_CACHE_HOME is followed; HEAPTRAIL_SYMBOL_CACHE=DIR or off overrides both)",
  },
} as const;
