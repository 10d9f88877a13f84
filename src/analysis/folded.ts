/**
 * Folded stacks (Brendan Gregg's format): one line per distinct displayed stack,
 * `frame;frame;...;frame BYTES`, outermost frame first, every frame `FUNCTION (FILE:LINE)`.
 * Nothing is hidden: runpy, CPython internals and the import system all stay. When threads are
 * split, the thread label is the first frame.
 */
import type { CaptureTables } from "../reader/index.ts";
import type { SnapshotGroup } from "./snapshots.ts";
import { recordFrames, type NativeSymbolizer } from "./flame.ts";
import { threadLabel } from "./frames.ts";

export interface FoldedOptions {
  splitThreads?: boolean;
  threadName?: (tid: number) => string | null;
  symbolize?: NativeSymbolizer;
  /** Innermost frame first (thread label still first). */
  inverted?: boolean;
}

// The format splits frames on ";" and the count on the last space; keep frames free of both
// separators' ambiguity by replacing ";" and newlines.
function clean(text: string): string {
  return text.replace(/[;\r\n]/g, "_");
}

export function foldedStacks(tables: CaptureTables, groups: readonly SnapshotGroup[], options: FoldedOptions = {}): string {
  const bytesByStack = new Map<string, number>();
  for (const g of groups) {
    const frames = recordFrames(tables, g.stackId, g.nativeId, g.generation, { trimTid: g.tid, symbolize: options.symbolize });
    const parts: string[] = [];
    if (options.splitThreads) parts.push(clean(threadLabel(g.tid, options.threadName?.(g.tid))));
    const ordered = options.inverted ? frames : frames.slice().reverse();
    for (const f of ordered) parts.push(clean(`${f.function} (${f.filename}:${f.lineno})`));
    // Allocations with no Python stack (e.g. before any frame was pushed) sit on one frame.
    if (parts.length === (options.splitThreads ? 1 : 0)) parts.push("<unknown> (<unknown>:0)");
    const line = parts.join(";");
    bytesByStack.set(line, (bytesByStack.get(line) ?? 0) + g.sizeBytes);
  }
  let out = "";
  for (const [stack, bytes] of bytesByStack) out += `${stack} ${bytes}\n`;
  return out;
}
