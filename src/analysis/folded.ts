/**
 * Folded stacks (Brendan Gregg's format): one line per distinct displayed stack,
 * `frame;frame;...;frame BYTES`, outermost frame first, every frame `FUNCTION (FILE:LINE)`.
 * Nothing is hidden: runpy, CPython internals and the import system all stay. When threads are
 * split, the thread label is the first frame.
 */
import type { CaptureTables } from "../reader/index.ts";
import type { SnapshotGroups } from "./snapshots.ts";
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

/** Text handed to the writer at a time: big enough to write efficiently, far below V8's string cap. */
const CHUNK_CHARS = 1 << 20;

/**
 * Folded stacks in chunks of about a megabyte, lines in the order their stacks first appear.
 * Nothing holds the whole text or a line per stack: lines are keyed by the ids of their frames'
 * texts (a few characters a frame), so an output of gigabytes (deep stacks, long names, many
 * temporary allocations) needs memory for its distinct frames and a short key per line only.
 */
export function* foldedChunks(tables: CaptureTables, groups: SnapshotGroups, options: FoldedOptions = {}): Generator<string> {
  const textIds = new Map<string, number>();
  const texts: string[] = [];
  const idOf = (text: string): number => {
    let id = textIds.get(text);
    if (id === undefined) {
      textIds.set(text, (id = texts.length));
      texts.push(text);
    }
    return id;
  };
  // Frame objects repeat across records (the tables share them): their text's id, found once.
  const frameIds = new WeakMap<object, number>();
  const bytesByStack = new Map<string, number>();
  const ids: number[] = [];
  const { tid, stackId, nativeId, generation } = groups.locations;
  for (let i = 0; i < groups.length; i++) {
    const l = groups.loc[i]!;
    const frames = recordFrames(tables, stackId[l]!, nativeId[l]!, generation[l]!, { trimTid: tid[l]!, symbolize: options.symbolize });
    ids.length = 0;
    if (options.splitThreads) ids.push(idOf(clean(threadLabel(tid[l]!, options.threadName?.(tid[l]!)))));
    for (let k = 0; k < frames.length; k++) {
      const f = frames[options.inverted ? k : frames.length - 1 - k]!;
      let id = frameIds.get(f);
      if (id === undefined) frameIds.set(f, (id = idOf(clean(`${f.function} (${f.filename}:${f.lineno})`))));
      ids.push(id);
    }
    // Allocations with no Python stack (e.g. before any frame was pushed) sit on one frame.
    if (ids.length === (options.splitThreads ? 1 : 0)) ids.push(idOf("<unknown> (<unknown>:0)"));
    const key = ids.join(",");
    bytesByStack.set(key, (bytesByStack.get(key) ?? 0) + (groups.sizeBytes?.[i] ?? 0));
  }
  let chunk = "";
  for (const [key, bytes] of bytesByStack) {
    let first = true;
    for (const id of key.split(",")) {
      chunk += first ? texts[Number(id)]! : `;${texts[Number(id)]!}`;
      first = false;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = "";
      }
    }
    chunk += ` ${bytes}\n`;
  }
  if (chunk !== "") yield chunk;
}

/** The folded stacks as one string (small captures, tests); `foldedChunks` for output of any size. */
export function foldedStacks(tables: CaptureTables, groups: SnapshotGroups, options: FoldedOptions = {}): string {
  return [...foldedChunks(tables, groups, options)].join("");
}
