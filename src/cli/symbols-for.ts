/**
 * The symbolizer a command uses for a capture. Not in args.ts: every command imports that, and
 * the ELF and DWARF readers behind this were 17 ms of CPU at each start of `heaptrail stats`.
 */
import type { NativeSymbolizer } from "../analysis/flame.ts";
import type { CaptureHeader, CaptureTables } from "../reader/index.ts";
import { createSymbolizer, userSymbolCacheDir, warnOnStderr } from "../symbols/index.ts";

/** The symbolizer for a capture, unless it has no native traces or `--no-symbols` was given. */
export function symbolsFor(
  values: { "no-symbols"?: boolean },
  capture: { header: CaptureHeader; tables: CaptureTables },
): NativeSymbolizer | undefined {
  if (values["no-symbols"] || !capture.header.nativeTraces) return undefined;
  return createSymbolizer(capture.tables, { warn: warnOnStderr, cacheDir: userSymbolCacheDir() });
}
