/**
 * Flame trees as memray builds them (§5.6): node identity is (parent, frame, thread label),
 * CPython-internal frames never become nodes, the import system is inherited downwards (normal
 * trees only), and stacks deeper than MAX_STACKS end in a `<STACK TOO DEEP>` node.
 */
import type { CaptureTables, Frame } from "../reader/index.ts";
import { isCpythonInternal, isImportSystem, isInterestingFrame, threadLabel } from "./frames.ts";
import type { FlameNode, FrameKey } from "./model.ts";

/** memray's limit (the default recursion limit minus one). */
export const MAX_STACKS = 399;

/** The thread label of every node of a merged-threads tree. */
export const MERGED_THREAD = "merged";

/** A node that replaced a too-deep stack's last frame: memray's location ["...", "...", 0]. */
export const STACK_TOO_DEEP: FrameKey = { function: "...", filename: "...", lineno: 0 };

export class FlameTreeBuilder {
  readonly root: FlameNode;
  /** Nodes in creation order; index 0 is the root. */
  readonly nodes: FlameNode[];
  /** Indices of nodes named `<STACK TOO DEEP>`. */
  readonly tooDeep = new Set<number>();
  private readonly inverted: boolean;
  /** Per node: (frame number · 2^20 + thread number) → child node index. */
  private readonly childIndex: Array<Map<number, number> | undefined> = [];
  // Frames are numbered by (function, file, line); resolved frames are shared objects, so the
  // object lookup usually answers without building a string.
  private readonly frameByObject = new Map<FrameKey, number>();
  private readonly frameByText = new Map<string, number>();
  private readonly threadNumbers = new Map<string, number>();

  constructor(inverted = false) {
    this.inverted = inverted;
    this.root = {
      function: "<tracker>",
      filename: "<b>memray</b>",
      lineno: 0,
      thread: "0x0",
      valueBytes: 0,
      nAllocations: 0,
      interesting: true,
      importSystem: false,
      children: [],
    };
    this.nodes = [this.root];
  }

  /**
   * Add one record. `frames` are in insertion order: outermost first for a normal tree,
   * innermost first for an inverted one. Returns the index of the node the record ended at.
   */
  add(frames: readonly FrameKey[], thread: string, sizeBytes: number, nAllocations: number): number {
    let cur = 0;
    let skipped = 0;
    let imp = false;
    this.root.valueBytes += sizeBytes;
    this.root.nAllocations += nAllocations;
    let threadNumber = this.threadNumbers.get(thread);
    if (threadNumber === undefined) this.threadNumbers.set(thread, (threadNumber = this.threadNumbers.size));
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const key = this.frameNumber(f) * 2 ** 20 + threadNumber;
      let children = this.childIndex[cur];
      if (children === undefined) this.childIndex[cur] = children = new Map();
      let id = children.get(key);
      if (id === undefined) {
        if (isCpythonInternal(f.function, f.filename)) {
          skipped++;
          continue;
        }
        const importSystem = isImportSystem(f.function, f.filename);
        if (!this.inverted && !imp) imp = importSystem;
        const node: FlameNode = {
          function: f.function,
          filename: f.filename,
          lineno: f.lineno,
          thread,
          valueBytes: 0,
          nAllocations: 0,
          interesting: isInterestingFrame(f.function, f.filename) && !importSystem,
          importSystem: imp,
          children: [],
        };
        id = this.nodes.length;
        this.nodes.push(node);
        this.nodes[cur]!.children.push(node);
        children.set(key, id);
      }
      cur = id;
      const node = this.nodes[cur]!;
      imp = node.importSystem;
      node.valueBytes += sizeBytes;
      node.nAllocations += nAllocations;
      if (i - skipped > MAX_STACKS) {
        node.function = STACK_TOO_DEEP.function;
        node.filename = STACK_TOO_DEEP.filename;
        node.lineno = STACK_TOO_DEEP.lineno;
        this.tooDeep.add(cur);
        break;
      }
    }
    return cur;
  }

  private frameNumber(f: FrameKey): number {
    let n = this.frameByObject.get(f);
    if (n !== undefined) return n;
    const text = `${f.function}\u0000${f.filename}\u0000${f.lineno}`;
    n = this.frameByText.get(text);
    if (n === undefined) this.frameByText.set(text, (n = this.frameByText.size));
    this.frameByObject.set(f, n);
    return n;
  }
}

/** Turns a native frame into a report frame; null drops it (as memray drops unresolved ips). */
export type NativeSymbolizer = (module: string | null, offset: number, ip: number) => FrameKey[] | null;

export interface StackOptions {
  /** Trim main-thread frames as memray does (off for merged temporal records, tid 0). */
  trimTid: number;
  /**
   * Native captures: symbolizes native frames so Python frames can replace the interpreter's
   * `_PyEval_EvalFrameDefault` frames (memray's hybrid stack). Without it, only the Python stack
   * is used: without symbols there is no way to tell which native frames are eval frames.
   */
  symbolize?: NativeSymbolizer;
}

const EVAL_FRAME = /_PyEval_EvalFrameDefault|^_TAIL_CALL_/;

/** The frames of a record, innermost first: Python frames, or memray's hybrid stack. */
export function recordFrames(
  tables: CaptureTables,
  stackId: number,
  nativeId: number,
  generation: number,
  options: StackOptions,
): FrameKey[] {
  const python = tables.pythonStack(stackId, options.trimTid);
  if (options.symbolize === undefined || nativeId === 0) return python;
  return hybridStack(python, tables, nativeId, generation, options.symbolize);
}

function hybridStack(
  python: Frame[],
  tables: CaptureTables,
  nativeId: number,
  generation: number,
  symbolize: NativeSymbolizer,
): FrameKey[] {
  const out: FrameKey[] = [];
  let p = 0;
  for (const nf of tables.nativeStack(nativeId, generation)) {
    const frames = symbolize(nf.module, nf.offset, nf.ip);
    if (frames === null) continue;
    for (const f of frames) {
      if (!EVAL_FRAME.test(f.function)) {
        out.push(f);
        continue;
      }
      // One eval frame runs a Python entry frame and the non-entry frames it called.
      if (p >= python.length) continue;
      while (p < python.length) {
        const pf = python[p++]!;
        out.push(pf);
        if (pf.isEntry) break;
      }
    }
  }
  // Not enough eval frames for the Python stack: memray falls back to the Python stack.
  return p < python.length ? python : out;
}

/** A frame label for a native frame without symbols: `module+0xoffset`, or the raw ip. */
export function nativeFrameKey(module: string | null, offset: number, ip: number): FrameKey {
  return module === null
    ? { function: `0x${ip.toString(16)}`, filename: "<unknown>", lineno: 0 }
    : { function: `${module}+0x${offset.toString(16)}`, filename: module, lineno: 0 };
}

/** One record to draw: a snapshot group or a temporal location. */
export interface FlameInput {
  tid: number;
  stackId: number;
  nativeId: number;
  generation: number;
  sizeBytes: number;
  nAllocations: number;
}

export interface FlameOptions {
  mergeThreads: boolean;
  /** Thread names by tid (as of the snapshot's end). */
  threadName?: (tid: number) => string | null;
  symbolize?: NativeSymbolizer;
  /** Merged temporal records have tid 0, which also disables main-thread trimming. */
  tidOverride?: number;
}

function labelFor(input: FlameInput, options: FlameOptions): string {
  return options.mergeThreads ? MERGED_THREAD : threadLabel(input.tid, options.threadName?.(input.tid));
}

/** A normal (outermost-first) flame tree. Returns the builder and each input's node index. */
export function buildFlameTree(
  tables: CaptureTables,
  inputs: readonly FlameInput[],
  options: FlameOptions,
): { builder: FlameTreeBuilder; leaves: number[] } {
  const builder = new FlameTreeBuilder(false);
  const leaves = inputs.map((input) => {
    const frames = recordFrames(tables, input.stackId, input.nativeId, input.generation, {
      trimTid: options.tidOverride ?? input.tid,
      symbolize: options.symbolize,
    });
    return builder.add(frames.slice().reverse(), labelFor(input, options), input.sizeBytes, input.nAllocations);
  });
  return { builder, leaves };
}

/**
 * The inverted tree (innermost frames at the top) and memray's `inverted_no_imports` variant,
 * where each stack is cut at its outermost import-system frame first.
 */
export function buildInvertedTrees(
  tables: CaptureTables,
  inputs: readonly FlameInput[],
  options: FlameOptions,
): { inverted: FlameTreeBuilder; noImports: FlameTreeBuilder; leaves: number[]; noImportLeaves: number[] } {
  const inverted = new FlameTreeBuilder(true);
  const noImports = new FlameTreeBuilder(true);
  const leaves: number[] = [];
  const noImportLeaves: number[] = [];
  for (const input of inputs) {
    const frames = recordFrames(tables, input.stackId, input.nativeId, input.generation, {
      trimTid: options.tidOverride ?? input.tid,
      symbolize: options.symbolize,
    });
    const label = labelFor(input, options);
    leaves.push(inverted.add(frames, label, input.sizeBytes, input.nAllocations));
    let cut = frames.length;
    for (let i = frames.length - 1; i >= 0; i--) {
      if (isImportSystem(frames[i]!.function, frames[i]!.filename)) {
        cut = i;
        break;
      }
    }
    // frames are innermost first, so the kept outer part is frames[cut + 1 ..].
    const kept = cut === frames.length ? frames : frames.slice(cut + 1);
    noImportLeaves.push(noImports.add(kept, label, input.sizeBytes, input.nAllocations));
  }
  return { inverted, noImports, leaves, noImportLeaves };
}

/** Preorder numbering of a tree: `order[creationIndex] = preorderIndex`, and the parent array. */
export function preorder(builder: FlameTreeBuilder): { order: number[]; parents: number[] } {
  const position = new Map<FlameNode, number>();
  builder.nodes.forEach((n, i) => position.set(n, i));
  const order = new Array<number>(builder.nodes.length);
  const parents: number[] = [];
  const stack: Array<[FlameNode, number]> = [[builder.root, -1]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    const pre = parents.length;
    parents.push(parent);
    order[position.get(node)!] = pre;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i]!, pre]);
  }
  return { order, parents };
}
