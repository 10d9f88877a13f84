/**
 * Argument parsing shared by the commands: memray's flag names, one way to report misuse.
 * A command throws UsageError; `main` prints it with the command's usage and exits 2.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { NativeSymbolizer } from "../analysis/flame.ts";
import type { CaptureHeader, CaptureTables } from "../reader/index.ts";
import { createSymbolizer, warnOnStderr } from "../symbols/index.ts";

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

/** `--no-symbols`: native captures are symbolized (memray's hybrid stacks) unless it is given. */
export const SYMBOL_OPTIONS = {
  "no-symbols": { type: "boolean" },
} as const;

export const SYMBOLS_HELP =
  "  --no-symbols    native (--native) captures: do not read the ELF files for native frames\n" +
  "                  (default: symbolize as memray does; missing images are reported once)\n";

/** The symbolizer for a capture, unless it has no native traces or `--no-symbols` was given. */
export function symbolsFor(
  values: { "no-symbols"?: boolean },
  capture: { header: CaptureHeader; tables: CaptureTables },
): NativeSymbolizer | undefined {
  if (values["no-symbols"] || !capture.header.nativeTraces) return undefined;
  return createSymbolizer(capture.tables, { warn: warnOnStderr });
}
