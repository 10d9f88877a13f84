/**
 * Argument parsing shared by the commands: memray's flag names, one way to report misuse.
 * A command throws UsageError; `main` prints it with the command's usage and exits 2.
 */
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

/**
 * `parseArgs`, plus `-h/--help` for every command (it throws HelpRequest); a parse failure
 * becomes a UsageError with `usage`.
 */
export function parseCommand<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    throw new UsageError((e as Error).message, usage);
  }
  if (parsed.values.help === true) throw new HelpRequest(usage);
  return parsed as ReturnType<typeof parseArgs<T>>;
}

/** The flags `--temporary-allocations` and `--temporary-allocation-threshold N`. */
export const TEMPORARY_OPTIONS = {
  "temporary-allocations": { type: "boolean" },
  "temporary-allocation-threshold": { type: "string" },
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

/** The one capture file a command reads. */
export function oneCapture(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError("expected one capture file", usage);
  return positionals[0]!;
}

/** `--strict`: an incomplete capture (cut, killed, corrupt) is an error, not a warning. */
export const STRICT_OPTION = { strict: { type: "boolean", default: false } } as const;

/** An incomplete capture under `--strict`: `main` prints it and exits 1. */
export class IncompleteCapture extends Error {}

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
