/**
 * Flame trees as memray builds them (docs/capture-format.md §5.6): node identity is (parent, frame, thread label),
 * CPython-internal frames never become nodes, the import system is inherited downwards (normal
 * trees only), and stacks deeper than MAX_STACKS end in a `<STACK TOO DEEP>` node.
 */
import type { CaptureTables } from "../reader/index.ts";
import { isCpythonInternal, isImportSystem, isInterestingFrame, threadLabel } from "./frames.ts";
import { subtreeSizes, TreeFlag, type FlameColumns, type FlameNode, type FrameKey, type TreeSummaryNode } from "./model.ts";
import type { SnapshotGroups } from "./snapshots.ts";
import { release, resized } from "../shared/typed-arrays.ts";

/** memray's limit (the default recursion limit minus one). */
export const MAX_STACKS = 399;

/** The thread label of every node of a merged-threads tree. */
export const MERGED_THREAD = "merged";

/** Node 0 of every flame tree, as memray names it. */
export const FLAME_ROOT: FrameKey = { function: "<tracker>", filename: "<b>memray</b>", lineno: 0 };

/** A node that replaced a too-deep stack's last frame: memray's location ["...", "...", 0]. */
export const STACK_TOO_DEEP: FrameKey = { function: "...", filename: "...", lineno: 0 };

/**
 * The frames of one capture numbered by (function, file, line), with memray's frame predicates
 * computed once per frame: every tree built from the capture shares them (see `frameCatalog`).
 */
export class FrameCatalog {
  /** Frame number → frame. */
  readonly frames: FrameKey[] = [];
  // Per frame number: FLAG_* bits.
  private flags = new Uint8Array(256);
  // Resolved frames are shared objects, so the object lookup usually answers without a string.
  private readonly byObject = new Map<FrameKey, number>();
  private readonly byText = new Map<string, number>();
  /** See rootThreadColumn. */
  private rootThread = new Int32Array(0);
  /** Python frame id → frame number + 1 (0: not seen yet). */
  private byFrameId = new Int32Array(256);
  readonly tables: CaptureTables | null;
  private readonly stackMemos: Array<StackMemo | undefined> = [];
  /** Per map generation, per native ip: its symbolized frames' numbers (see hybridNumbers)... */
  private ipFrames = new Map<number, Map<number, number[]>>();
  /** ...as `ipSymbolizer` gave them (another symbolizer starts the caches again)... */
  private ipSymbolizer: NativeSymbolizer | null = null;
  /** ...and per map generation, per native node: its ip's list in `numberLists`, plus one (0: not yet). */
  private nodeFrames = new Map<number, Int32Array>();
  private numberLists: number[][] = [];

  constructor(tables: CaptureTables | null = null) {
    this.tables = tables;
  }

  numberOf(f: FrameKey): number {
    let n = this.byObject.get(f);
    if (n !== undefined) return n;
    const text = `${f.function}\u0000${f.filename}\u0000${f.lineno}`;
    n = this.byText.get(text);
    if (n === undefined) {
      n = this.frames.length;
      this.byText.set(text, n);
      this.frames.push(f);
      if (n >= this.flags.length) {
        this.flags = resized(this.flags, this.flags.length * 2);
      }
      this.flags[n] =
        (isCpythonInternal(f.function, f.filename) ? FLAG_INTERNAL : 0) |
        (isImportSystem(f.function, f.filename) ? FLAG_IMPORT : 0) |
        (isInterestingFrame(f.function, f.filename) ? FLAG_INTERESTING : 0) |
        (EVAL_FRAME.test(f.function) ? FLAG_EVAL : 0);
    }
    this.byObject.set(f, n);
    return n;
  }

  /** The number of the capture's Python frame `frameId`. */
  numberOfFrameId(frameId: number): number {
    if (frameId < this.byFrameId.length) {
      const n = this.byFrameId[frameId]! - 1;
      if (n >= 0) return n;
    } else if (frameId < 2 ** 28) {
      let size = this.byFrameId.length;
      while (size <= frameId) size *= 2;
      this.byFrameId = resized(this.byFrameId, size);
    }
    const n = this.numberOf(this.tables!.frame(frameId));
    if (frameId < this.byFrameId.length) this.byFrameId[frameId] = n + 1;
    return n;
  }

  /**
   * Per stack-table node, the tree node a record with that stack ends at in the tree of builder
   * `owner` (valid only for that builder), and the stack node's depth; one set per trimming mode
   * (`mode` 1: main-thread frames trimmed), shared by the capture's trees, which are built one
   * after another. A set per tree was 25 MB each on a 3.1M-node stack table, five times over.
   */
  stackMemo(mode: number): StackMemo {
    const count = this.tables!.stackCount;
    let memo = this.stackMemos[mode];
    if (memo === undefined || memo.end.length < count) {
      memo = memo === undefined
        ? { owner: new Int32Array(count), end: new Int32Array(count), depth: new Int32Array(count) }
        : { owner: resized(memo.owner, count), end: resized(memo.end, count), depth: resized(memo.depth, count) };
      this.stackMemos[mode] = memo;
    }
    return memo;
  }

  /**
   * A thread column of `size` nodes, the root's 1 and every other node's 0 (a tree whose nodes
   * are on one label): a view of one column shared by the capture's trees, since nothing writes
   * to a built tree (4 bytes a node per tree; 9 MB of a real sympy capture's inverted tree).
   */
  rootThreadColumn(size: number): Int32Array {
    if (this.rootThread.length < size) {
      this.rootThread = new Int32Array(size);
      this.rootThread[0] = 1;
    }
    return this.rootThread.subarray(0, size);
  }

  isInternal(n: number): boolean {
    return (this.flags[n]! & FLAG_INTERNAL) !== 0;
  }

  isImport(n: number): boolean {
    return (this.flags[n]! & FLAG_IMPORT) !== 0;
  }

  isInteresting(n: number): boolean {
    return (this.flags[n]! & FLAG_INTERESTING) !== 0;
  }

  /**
   * The frame numbers of a record, innermost first, as `recordFrames` gives its frames: the
   * Python stack (main-thread frames trimmed for `trimTid`), or memray's hybrid stack.
   */
  recordFrameNumbers(stackId: number, nativeId: number, generation: number, options: StackOptions): number[] {
    const tables = this.tables!;
    if (options.symbolize !== undefined) return this.hybridNumbers(stackId, nativeId, generation, options.trimTid, options.symbolize);
    const ids = tables.pythonStackIds(stackId, options.trimTid);
    for (let i = 0; i < ids.length; i++) ids[i] = this.numberOfFrameId(ids[i]!);
    return ids;
  }

  /**
   * `hybridStack` in frame numbers, with each ip symbolized and numbered once per map
   * generation: every tree asks again for every native frame of every location (a native
   * docutils ingest: 5.7 → 5.3 s of CPU against making the frames and numbering them each time).
   */
  private hybridNumbers(stackId: number, nativeId: number, generation: number, tid: number, symbolize: NativeSymbolizer): number[] {
    const tables = this.tables!;
    if (symbolize !== this.ipSymbolizer) {
      this.ipSymbolizer = symbolize;
      this.ipFrames = new Map();
      this.nodeFrames = new Map();
    }
    const ids = tables.stackFrameIds(stackId);
    let nNative = 0;
    if (nativeId !== 0) {
      let byIp = this.ipFrames.get(generation);
      if (byIp === undefined) this.ipFrames.set(generation, (byIp = new Map()));
      let byNode = this.nodeFrames.get(generation);
      if (byNode === undefined || byNode.length < tables.nativeCount) {
        byNode = byNode === undefined ? new Int32Array(tables.nativeCount) : resized(byNode, tables.nativeCount);
        this.nodeFrames.set(generation, byNode);
      }
      // tables.nativeIps' walk, with each node's numbers found by node (an array read) before
      // by ip (a Map of doubles, which was most of this function's time).
      let guard = tables.nativeCount;
      for (let node = nativeId; node > 0 && node < tables.nativeCount && guard-- > 0; node = tables.nativeParent[node]!) {
        let list = byNode[node]! - 1;
        if (list < 0) {
          const ip = tables.nativeIp[node]!;
          let numbers = byIp.get(ip);
          if (numbers === undefined) {
            const nf = tables.nativeFrame(ip, generation);
            numbers = (symbolize(nf.module, nf.offset, ip) ?? []).map((f) => this.numberOf(f));
            byIp.set(ip, numbers);
          }
          list = this.numberLists.length;
          this.numberLists.push(numbers);
          byNode[node] = list + 1;
        }
        const numbers = this.numberLists[list]!;
        if (nNative + numbers.length > nativeBuffer.length) nativeBuffer = resized(nativeBuffer, 2 * (nNative + numbers.length));
        for (let j = 0; j < numbers.length; j++) nativeBuffer[nNative++] = numbers[j]!;
      }
    }
    const count = hybridPicks(
      ids.length,
      (p) => tables.frame(ids[p]!).isEntry,
      nNative,
      (k) => (this.flags[nativeBuffer[k]!]! & FLAG_EVAL) !== 0,
      tid === tables.mainTid ? tables.skippedFramesOnMainTid : 0,
    );
    if (count < 0) return ids.map((id) => this.numberOfFrameId(id));
    const out: number[] = [];
    for (let k = 0; k < count; k++) {
      const p = picksBuffer[k]!;
      out.push(p >= 0 ? this.numberOfFrameId(ids[p]!) : nativeBuffer[-p - 1]!);
    }
    return out;
  }
}

/** See FrameCatalog.stackMemo. */
interface StackMemo {
  owner: Int32Array;
  end: Int32Array;
  depth: Int32Array;
}

/** Builder ids (StackMemo owners); 0 is no builder. */
let lastBuilderId = 0;

const FLAG_INTERNAL = 1;
const FLAG_IMPORT = 2;
const FLAG_INTERESTING = 4;
/** The interpreter's eval loop (EVAL_FRAME): where the hybrid stack puts Python frames. */
const FLAG_EVAL = 8;

const catalogs = new WeakMap<CaptureTables, FrameCatalog>();

/** The capture's shared frame catalog. */
export function frameCatalog(tables: CaptureTables): FrameCatalog {
  let catalog = catalogs.get(tables);
  if (catalog === undefined) catalogs.set(tables, (catalog = new FrameCatalog(tables)));
  return catalog;
}

const NODE_IMPORT = 1;
const NODE_INTERESTING = 2;
const NODE_TOO_DEEP = 4;
/** Has children. */
const NODE_PARENT = 8;
/** Has one child, in `firstChild` only (not in the child table). */
const NODE_LONE = 16;

/**
 * Builds a flame tree in typed columns, then gives it as preorder columns (`preorder`: what the
 * content stage writes and the command line prints; never one object per node).
 * A record adds its value to the node it ends at only; a node's value is the sum over its
 * subtree, added up once at the end. So adding a record allocates nothing and touches no node
 * object.
 */
export class FlameTreeBuilder {
  /** Whether a node is named `<STACK TOO DEEP>` (NODE_TOO_DEEP). */
  private hasTooDeep = false;
  readonly catalog: FrameCatalog;
  /** Nodes so far; node 0 is the root. */
  nodeCount = 1;
  /** Creation index of each node's parent (−1 for the root); children come after parents. */
  parents: Int32Array;
  private frame: Int32Array;
  /** Each node's thread number; null while every node is on thread number 0 (merged trees). */
  private threadOf: Int32Array | null = null;
  private flags: Uint8Array;
  /**
   * The records' values as added, (node, bytes, allocations) each: only record ends have values,
   * and two columns by node were 42 MB of a real sympy capture's 2.2M-node inverted tree, which
   * 54k records end in (a temporal tree has no values at all).
   */
  private valueNode = new Int32Array(64);
  private valueBytes = new Float64Array(64);
  private valueCount = new Float64Array(64);
  private values = 0;
  private readonly inverted: boolean;
  // Children by (parent node, frame number, thread number): one open-addressing table for the
  // whole tree, 2 ints a slot (parent, child + 1; 0 is empty), the child's frame and thread read
  // from its columns when the parent matches. 4 ints a slot (the whole key) were 134 MB on a
  // 2.8M-node temporal tree.
  private slots: Int32Array;
  private slotShift: number;
  /**
   * Children in the table (not first children): it grows with these, not with the nodes. By the
   * nodes, a real sympy capture's 2.2M-node inverted tree, mostly chains, had a 67 MB table.
   */
  private tableEntries = 0;
  private readonly threadNumbers = new Map<string, number>();
  private readonly threads: string[] = [];
  /** Depth of each node (root 0, at most MAX_STACKS + 2): nodes deeper than MAX_STACKS + 1 end every record there. */
  private depth: Uint16Array;
  /** Each node's first child (see child). */
  private firstChild: Int32Array;
  /** This builder's entries in the catalog's stack memo (see stackEnd). */
  private readonly id = ++lastBuilderId;

  /** `expectedNodes` sizes the tables up front (growing them rehashes every node). */
  constructor(inverted = false, catalog: FrameCatalog = new FrameCatalog(), expectedNodes = 256) {
    this.inverted = inverted;
    this.catalog = catalog;
    // The table holds only children after a first (a quarter of the nodes is a generous guess;
    // it grows with its entries): sized for every node, it was 16 MB per tree of a real sympy
    // capture, whose guess of 656k nodes is an upper bound the peak tree (87k nodes) is far below.
    let bits = 10;
    while (1 << bits < expectedNodes / 2 && bits < 24) bits++;
    this.slots = new Int32Array((1 << bits) * 2);
    this.slotShift = 32 - bits;
    // The guess is an upper bound for Python stacks: a power of two above it was 1.2 M unused
    // nodes (40 MB) on a 3.1M-node stack table.
    const cap = Math.max(256, expectedNodes);
    this.parents = new Int32Array(cap);
    this.frame = new Int32Array(cap);
    this.flags = new Uint8Array(cap);
    this.depth = new Uint16Array(cap);
    this.firstChild = new Int32Array(cap);
    this.parents[0] = -1;
    this.flags[0] = NODE_INTERESTING;
  }

  /**
   * Add one record by frame numbers: `numbers[start, end)`, in insertion order, or from the end
   * backwards when `backwards`. Returns the index of the node the record ended at.
   */
  addNumbers(
    numbers: readonly number[],
    start: number,
    end: number,
    backwards: boolean,
    thread: string,
    sizeBytes: number,
    nAllocations: number,
  ): number {
    const threadNumber = this.threadNumberOf(thread);
    let cur = 0;
    const length = end - start;
    for (let i = 0; i < length; i++) {
      const id = this.child(cur, numbers[backwards ? end - 1 - i : start + i]!, threadNumber);
      if (id < 0) continue;
      cur = id;
      if (this.isTooDeep(cur)) break; // the record ends at the `<STACK TOO DEEP>` node
    }
    this.addValue(cur, sizeBytes, nAllocations);
    return cur;
  }

  /**
   * Add one record by its Python stack (normal trees only): what `addNumbers` does with the
   * record's frames outermost first, main-thread frames trimmed for `trimTid`. Every record of
   * the tree must have the same `thread` label (memoized paths do not look at it).
   */
  addStack(stackId: number, trimTid: number, thread: string, sizeBytes: number, nAllocations: number): number {
    const tables = this.catalog.tables!;
    const end = stackId > 0 && stackId < tables.stackCount ? this.stackEnd(tables, stackId, tables.trimmedFrames(trimTid), thread) : 0;
    this.addValue(end, sizeBytes, nAllocations);
    return end;
  }

  private addValue(node: number, sizeBytes: number, nAllocations: number): void {
    if (sizeBytes === 0 && nAllocations === 0) return;
    const k = this.values++;
    if (k === this.valueNode.length) {
      this.valueNode = resized(this.valueNode, k * 2);
      this.valueBytes = resized(this.valueBytes, k * 2);
      this.valueCount = resized(this.valueCount, k * 2);
    }
    this.valueNode[k] = node;
    this.valueBytes[k] = sizeBytes;
    this.valueCount[k] = nAllocations;
  }

  /**
   * Python stacks, normal trees, one thread label: records share stack prefixes, so each stack
   * node is walked once, through the catalog's stack memo. `skip`: outermost frames trimmed
   * (tables.trimmedFrames), the same for every record of a memo.
   */
  private stackEnd(tables: CaptureTables, stackId: number, skip: number, thread: string): number {
    const memo = this.catalog.stackMemo(skip > 0 ? 1 : 0);
    const id = this.id;
    if (memo.owner[stackId] === id) return memo.end[stackId]!;
    const threadNumber = this.threadNumberOf(thread);
    // Walk up to a known stack node (or the empty stack), then back down.
    const path: number[] = [];
    let node = stackId;
    while (node > 0 && memo.owner[node] !== id) {
      path.push(node);
      node = tables.stackParent[node]!;
    }
    let cur = node > 0 ? memo.end[node]! : 0;
    let depth = node > 0 ? memo.depth[node]! : 0;
    const catalog = this.catalog;
    for (let k = path.length - 1; k >= 0; k--) {
      const s = path[k]!;
      depth++;
      memo.depth[s] = depth;
      // Trimmed frames and frames below a too-deep node leave the record where it is.
      if (depth > skip && !this.isTooDeep(cur)) {
        const child = this.child(cur, catalog.numberOfFrameId(tables.stackFrame[s]!), threadNumber);
        if (child >= 0) cur = child;
      }
      memo.end[s] = cur;
      memo.owner[s] = id;
    }
    return cur;
  }

  /**
   * memray's node rules, in one place: the child of `cur` for `frame`, made on first use, or −1
   * when the frame never becomes a node (CPython-internal). The import system is inherited
   * downwards in normal trees only; an import-system frame is never interesting; a node deeper
   * than MAX_STACKS + 1 becomes `<STACK TOO DEEP>` (see isTooDeep).
   */
  private child(cur: number, frame: number, threadNumber: number): number {
    const catalog = this.catalog;
    if (catalog.isInternal(frame)) return -1;
    // A node's first child is kept in `firstChild` and enters the child table only when a second
    // child comes: most nodes of a big tree have one child (a stack's path below where it
    // branches off), and a table probe is a cache miss, which was most of the time of a
    // 2.8M-node temporal tree.
    const curFlags = this.flags[cur]!;
    let slot = -1;
    if ((curFlags & NODE_LONE) !== 0) {
      const only = this.firstChild[cur]!;
      if (this.frame[only] === frame && this.threadAt(only) === threadNumber) return only;
      this.claim(this.slotOf(cur, this.frame[only]!, this.threadAt(only)), cur, only);
      this.flags[cur] = curFlags & ~NODE_LONE;
    }
    if ((curFlags & (NODE_LONE | NODE_PARENT)) !== 0) {
      slot = this.slotOf(cur, frame, threadNumber);
      const known = this.slots[slot + 1]! - 1;
      if (known >= 0) return known;
    }
    const importSystem = catalog.isImport(frame);
    const imp = !this.inverted && ((curFlags & NODE_IMPORT) !== 0 || importSystem);
    const flags = (imp ? NODE_IMPORT : 0) | (catalog.isInteresting(frame) && !importSystem ? NODE_INTERESTING : 0);
    const id = this.newNode(cur, frame, threadNumber, flags);
    if (slot < 0) {
      this.firstChild[cur] = id;
      this.flags[cur] = curFlags | NODE_PARENT | NODE_LONE;
    } else {
      this.claim(slot, cur, id);
    }
    if (this.depth[id]! > MAX_STACKS + 1) {
      this.flags[id] = this.flags[id]! | NODE_TOO_DEEP;
      this.hasTooDeep = true;
    }
    return id;
  }

  private threadAt(node: number): number {
    return this.threadOf === null ? 0 : this.threadOf[node]!;
  }

  /** A `<STACK TOO DEEP>` node: records reaching it end there. */
  private isTooDeep(node: number): boolean {
    return (this.flags[node]! & NODE_TOO_DEEP) !== 0;
  }

  private threadNumberOf(thread: string): number {
    let threadNumber = this.threadNumbers.get(thread);
    if (threadNumber === undefined) {
      threadNumber = this.threads.length;
      this.threadNumbers.set(thread, threadNumber);
      this.threads.push(thread);
    }
    return threadNumber;
  }

  private newNode(parent: number, frame: number, thread: number, flags: number): number {
    const id = this.nodeCount++;
    if (id >= this.parents.length) {
      const n = this.parents.length * 2;
      this.parents = resized(this.parents, n);
      this.frame = resized(this.frame, n);
      if (this.threadOf !== null) this.threadOf = resized(this.threadOf, n);
      this.flags = resized(this.flags, n);
      this.firstChild = resized(this.firstChild, n);
      this.depth = resized(this.depth, n);
    }
    this.depth[id] = this.depth[parent]! + 1;
    this.parents[id] = parent;
    this.frame[id] = frame;
    if (thread !== 0) (this.threadOf ??= new Int32Array(this.parents.length))[id] = thread;
    this.flags[id] = flags;
    return id;
  }

  /**
   * The tree as preorder columns (children in creation order); the builder is spent (its tables
   * are let go while the columns are made). `preorderOf[creationIndex]` is a node's preorder
   * index (addNumbers and addStack return creation indices). Frames index the catalog's shared
   * table.
   */
  preorder(): { tree: FlameColumns; preorderOf: Int32Array } {
    const n = this.nodeCount;
    const catalog = this.catalog;
    const rootFrame = catalog.numberOf(FLAME_ROOT);
    const tooDeepFrame = this.hasTooDeep ? catalog.numberOf(STACK_TOO_DEEP) : -1;
    // Thread labels, the root's "0x0" last.
    const threads = [...this.threads, "0x0"];
    // Every node on one label: the shared column (see rootThreadColumn), which place leaves alone.
    const oneLabel = this.threadOf === null && this.threads.length === 1;
    const tree: FlameColumns = {
      size: n,
      parent: new Int32Array(n),
      frame: new Int32Array(n),
      frames: catalog.frames,
      thread: oneLabel ? catalog.rootThreadColumn(n) : new Int32Array(n),
      threads,
      valueBytes: new Float64Array(0),
      nAllocations: new Float64Array(0),
      flags: new Uint8Array(n),
    };
    tree.parent[0] = -1;
    tree.frame[0] = rootFrame;
    if (!oneLabel) tree.thread[0] = threads.length - 1;
    tree.flags[0] = TreeFlag.INTERESTING;
    const preorderOf = this.place(tree, tooDeepFrame, !oneLabel);
    // Only the values are left to place: the structure's tables go before the value columns are
    // made (on a real sympy capture's 2.2M-node inverted tree, ~90 MB less at the peak).
    const { valueNode, valueBytes: addedBytes, valueCount: addedCount, values } = this;
    this.spend();
    tree.valueBytes = new Float64Array(n);
    tree.nAllocations = new Float64Array(n);
    if (values === 0) return { tree, preorderOf }; // no values: all zeros
    // Each node's own values summed in the order added, as before the sums over subtrees.
    for (let k = 0; k < values; k++) {
      const pre = preorderOf[valueNode[k]!]!;
      tree.valueBytes[pre] = tree.valueBytes[pre]! + addedBytes[k]!;
      tree.nAllocations[pre] = tree.nAllocations[pre]! + addedCount[k]!;
    }
    for (const column of [valueNode, addedBytes, addedCount]) release(column);
    // Subtree sums, backwards in preorder: each parent adds its children last to first, as a
    // backward pass in creation order does, so the sums are the same to the bit.
    const { parent, valueBytes, nAllocations } = tree;
    for (let i = n - 1; i > 0; i--) {
      const p = parent[i]!;
      valueBytes[p] = valueBytes[p]! + valueBytes[i]!;
      nAllocations[p] = nAllocations[p]! + nAllocations[i]!;
    }
    return { tree, preorderOf };
  }

  /** Node structure into `tree`'s preorder columns; each creation index's preorder index. */
  private place(tree: FlameColumns, tooDeepFrame: number, threads: boolean): Int32Array {
    const n = this.nodeCount;
    const created = this.parents;
    // Preorder indices from subtree sizes: a node's children were created in their order, so
    // each takes the next free index under its parent. `next` holds a node's subtree size until
    // the node is placed, then the index its next child takes. (Child lists and a stack were
    // five arrays of n, 56 MB on a 2.8M-node tree.)
    const next = subtreeSizes(created, n);
    const preorderOf = new Int32Array(n);
    next[0] = 1;
    for (let id = 1; id < n; id++) {
      const p = created[id]!;
      const pre = next[p]!;
      next[p] = pre + next[id]!;
      next[id] = pre + 1;
      preorderOf[id] = pre;
      const flags = this.flags[id]!;
      tree.parent[pre] = preorderOf[p]!;
      tree.frame[pre] = (flags & NODE_TOO_DEEP) !== 0 ? tooDeepFrame : this.frame[id]!;
      if (threads) tree.thread[pre] = this.threadAt(id);
      tree.flags[pre] = ((flags & NODE_INTERESTING) !== 0 ? TreeFlag.INTERESTING : 0) | ((flags & NODE_IMPORT) !== 0 ? TreeFlag.IMPORT_SYSTEM : 0);
    }
    return preorderOf;
  }

  /** Free every table but the values' (preorder made the columns; its subtree sizes were `next`). */
  private spend(): void {
    for (const column of [this.parents, this.frame, this.firstChild, this.slots, this.flags, this.depth]) release(column);
    if (this.threadOf !== null) release(this.threadOf);
    const none = new Int32Array(0);
    this.parents = this.frame = this.firstChild = this.slots = this.valueNode = none;
    this.threadOf = null;
    this.flags = new Uint8Array(0);
    this.depth = new Uint16Array(0);
    this.valueBytes = this.valueCount = new Float64Array(0);
    this.values = 0;
    this.nodeCount = 0;
  }

  /** The slot (base index) of (parent, frame, thread): its child, or the empty slot it would take. */
  private slotOf(parent: number, frame: number, thread: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let i = Math.imul(Math.imul(parent, 0x9e3779b1) ^ Math.imul(frame, 0x85ebca6b) ^ Math.imul(thread, 0xc2b2ae35), 0x27d4eb2f) >>> this.slotShift;
    for (;;) {
      const b = i << 1;
      const child = slots[b + 1]! - 1;
      if (child < 0 || (slots[b] === parent && this.frame[child] === frame && this.threadAt(child) === thread)) return b;
      i = (i + 1) & mask;
    }
  }

  private claim(slot: number, parent: number, child: number): void {
    const slots = this.slots;
    slots[slot] = parent;
    slots[slot + 1] = child + 1;
    if (++this.tableEntries * 4 > slots.length) this.growSlots();
  }

  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.slotShift--;
    for (let b = 0; b < old.length; b += 2) {
      const child = old[b + 1]! - 1;
      if (child < 0) continue;
      const slot = this.slotOf(old[b]!, this.frame[child]!, this.threadAt(child));
      this.slots[slot] = old[b]!;
      this.slots[slot + 1] = old[b + 1]!;
    }
    release(old);
  }
}

/**
 * A merged-threads tree (every node but the root on its one label) with every non-root node
 * labelled `thread`: a split-threads view of one thread. The columns are shared (nothing writes
 * to a built tree): a copy was 29 bytes a node per view.
 */
export function relabelled(tree: FlameColumns, thread: string): FlameColumns {
  // A tree of the root alone has only the root's label, "0x0", at 0.
  return tree.threads.length === 1 ? { ...tree, thread: Int32Array.of(1), threads: [thread, "0x0"] } : { ...tree, threads: [thread, "0x0"] };
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
  if (options.symbolize === undefined) return tables.pythonStack(stackId, options.trimTid);
  return hybridStack(tables, stackId, nativeId, generation, options.trimTid, options.symbolize);
}

/**
 * memray's hybrid stack (`hybrid_stack_trace`): pairing from the outermost frames inwards, each
 * eval-loop frame takes the next Python entry frame and the non-entry frames it runs; eval
 * frames left once the Python frames are used up stay as they are. On the main thread, the
 * frames outside the first kept Python frame are cut. If the Python frames outnumber the eval
 * frames, memray shows the whole (untrimmed) Python stack instead.
 */
function hybridStack(
  tables: CaptureTables,
  stackId: number,
  nativeId: number,
  generation: number,
  tid: number,
  symbolize: NativeSymbolizer,
): FrameKey[] {
  const python = tables.stackFrameIds(stackId).map((id) => tables.frame(id));
  const native: FrameKey[] = [];
  if (nativeId !== 0) {
    for (const nf of tables.nativeStack(nativeId, generation)) {
      const frames = symbolize(nf.module, nf.offset, nf.ip);
      if (frames !== null) for (const f of frames) native.push(f);
    }
  }
  const count = hybridPicks(
    python.length,
    (p) => python[p]!.isEntry,
    native.length,
    (k) => EVAL_FRAME.test(native[k]!.function),
    tid === tables.mainTid ? tables.skippedFramesOnMainTid : 0,
  );
  if (count < 0) return python;
  const out: FrameKey[] = [];
  for (let k = 0; k < count; k++) {
    const p = picksBuffer[k]!;
    out.push(p >= 0 ? python[p]! : native[-p - 1]!);
  }
  return out;
}

/**
 * Where hybridPicks puts its picks, reused: a small Int32Array made per stack was a fifth of a
 * native docutils capture's analysis CPU, most of it its allocation and collection.
 */
let picksBuffer = new Int32Array(256);
/** A hybrid stack's native frame numbers, innermost first (FrameCatalog.hybridNumbers), reused likewise. */
let nativeBuffer = new Int32Array(256);

/**
 * The hybrid stack's frames, innermost first, as picks in `picksBuffer[0, count)` (read before
 * the next call): p ≥ 0 is Python frame p, p < 0 native frame −p − 1 (both innermost first).
 * Returns the count, or −1 when memray shows the whole (untrimmed) Python stack instead.
 * `toSkip`: main-thread frames to trim (0 elsewhere). The one algorithm behind `hybridStack`
 * (frames) and FrameCatalog.recordFrameNumbers (frame numbers).
 */
function hybridPicks(
  nPython: number,
  isEntry: (p: number) => boolean,
  nNative: number,
  isEval: (k: number) => boolean,
  toSkip: number,
): number {
  let nonEntry = 0;
  for (let p = 0; p < nPython; p++) if (!isEntry(p)) nonEntry++;
  const size = nNative + nonEntry;
  if (picksBuffer.length < size) picksBuffer = new Int32Array(size * 2);
  const picks = picksBuffer;
  let end = size;
  let pidx = nPython - 1;
  let hidx = size - 1;
  const firstKept = pidx - toSkip;
  for (let k = nNative - 1; k >= 0; k--) {
    if (pidx >= 0 && isEval(k)) {
      for (;;) {
        // The frames outside the first kept Python frame are cut.
        if (toSkip !== 0 && pidx === firstKept) end = hidx + 1;
        if (hidx < 0) return -1; // memray's assertion; cannot happen with consistent flags
        picks[hidx--] = pidx--;
        if (pidx < 0 || isEntry(pidx)) break;
      }
    } else {
      if (hidx < 0) return -1;
      picks[hidx--] = -k - 1;
    }
  }
  return pidx >= 0 ? -1 : end;
}

export interface FlameOptions {
  mergeThreads: boolean;
  /** Thread names by tid (as of the snapshot's end). */
  threadName?: (tid: number) => string | null;
  symbolize?: NativeSymbolizer;
  /** Merged temporal records have tid 0, which also disables main-thread trimming. */
  tidOverride?: number;
}

/** A normal (outermost-first) flame tree. Returns the builder and each input's node index. */
export function buildFlameTree(
  tables: CaptureTables,
  groups: SnapshotGroups,
  options: FlameOptions,
): { builder: FlameTreeBuilder; leaves: Int32Array } {
  const catalog = frameCatalog(tables);
  const builder = new FlameTreeBuilder(false, catalog, expectedNodes(tables, groups));
  const labels = threadLabels(options);
  const { tid, stackId, nativeId, generation } = groups.locations;
  const leaves = new Int32Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const l = groups.loc[i]!;
    const trimTid = options.tidOverride ?? tid[l]!;
    const sizeBytes = groups.sizeBytes?.[i] ?? 0;
    const nAllocations = groups.nAllocations?.[i] ?? 0;
    // Python stacks under one label: memoized per stack node (see addStack).
    if (options.mergeThreads && options.symbolize === undefined) {
      leaves[i] = builder.addStack(stackId[l]!, trimTid, MERGED_THREAD, sizeBytes, nAllocations);
      continue;
    }
    const frames = catalog.recordFrameNumbers(stackId[l]!, nativeId[l]!, generation[l]!, { trimTid, symbolize: options.symbolize });
    leaves[i] = builder.addNumbers(frames, 0, frames.length, true, labels(tid[l]!), sizeBytes, nAllocations);
  }
  return { builder, leaves };
}

/**
 * The inverted tree (innermost frames at the top) and memray's `inverted_no_imports` variant,
 * where each stack is cut at its outermost import-system frame first.
 */
export function buildInvertedTrees(
  tables: CaptureTables,
  groups: SnapshotGroups,
  options: FlameOptions,
): { inverted: FlameTreeBuilder; noImports: FlameTreeBuilder; leaves: Int32Array; noImportLeaves: Int32Array } {
  const catalog = frameCatalog(tables);
  const inverted = new FlameTreeBuilder(true, catalog, expectedNodes(tables, groups));
  const noImports = new FlameTreeBuilder(true, catalog, expectedNodes(tables, groups));
  const labels = threadLabels(options);
  const leaves = new Int32Array(groups.length);
  const noImportLeaves = new Int32Array(groups.length);
  const { tid, stackId, nativeId, generation } = groups.locations;
  for (let i = 0; i < groups.length; i++) {
    const l = groups.loc[i]!;
    const frames = catalog.recordFrameNumbers(stackId[l]!, nativeId[l]!, generation[l]!, {
      trimTid: options.tidOverride ?? tid[l]!,
      symbolize: options.symbolize,
    });
    const label = labels(tid[l]!);
    const sizeBytes = groups.sizeBytes?.[i] ?? 0;
    const nAllocations = groups.nAllocations?.[i] ?? 0;
    leaves[i] = inverted.addNumbers(frames, 0, frames.length, false, label, sizeBytes, nAllocations);
    let cut = frames.length;
    for (let k = frames.length - 1; k >= 0; k--) {
      if (catalog.isImport(frames[k]!)) {
        cut = k;
        break;
      }
    }
    // frames are innermost first, so the kept outer part is frames[cut + 1 ..].
    const from = cut === frames.length ? 0 : cut + 1;
    noImportLeaves[i] = noImports.addNumbers(frames, from, frames.length, false, label, sizeBytes, nAllocations);
  }
  return { inverted, noImports, leaves, noImportLeaves };
}

/**
 * A guess at a tree's size: a Python-stack tree has at most one node per stack-table node, and
 * few groups make few nodes.
 */
function expectedNodes(tables: CaptureTables, groups: SnapshotGroups): number {
  return Math.min(tables.stackCount, groups.length * 32) + 1;
}

/** Thread labels by tid, each computed once per tree. */
function threadLabels(options: FlameOptions): (tid: number) => string {
  if (options.mergeThreads) return () => MERGED_THREAD;
  const cache = new Map<number, string>();
  return (tid) => {
    let label = cache.get(tid);
    if (label === undefined) cache.set(tid, (label = threadLabel(tid, options.threadName?.(tid))));
    return label;
  };
}

/**
 * Node objects (the tree summary, hand-built trees) as preorder columns, children in their
 * order. Frames and threads get tables of their own.
 */
export function flameColumns(root: FlameNode | TreeSummaryNode): FlameColumns {
  const frames: FrameKey[] = [];
  const frameIds = new Map<string, number>();
  const threads: string[] = [];
  const threadIds = new Map<string, number>();
  const parent: number[] = [];
  const frame: number[] = [];
  const thread: number[] = [];
  const valueBytes: number[] = [];
  const nAllocations: number[] = [];
  const flags: number[] = [];
  const work: Array<{ node: FlameNode; parent: number }> = [{ node: root, parent: -1 }];
  while (work.length > 0) {
    const { node, parent: p } = work.pop()!;
    const index = parent.length;
    parent.push(p);
    const key = `${node.function}\u0000${node.filename}\u0000${node.lineno}\u0000${node.module ?? ""}\u0000${node.offset ?? ""}`;
    let f = frameIds.get(key);
    if (f === undefined) {
      frameIds.set(key, (f = frames.length));
      const fk: FrameKey = { function: node.function, filename: node.filename, lineno: node.lineno };
      if (node.module !== undefined) {
        fk.module = node.module;
        fk.offset = node.offset;
      }
      frames.push(fk);
    }
    frame.push(f);
    let t = threadIds.get(node.thread);
    if (t === undefined) {
      threadIds.set(node.thread, (t = threads.length));
      threads.push(node.thread);
    }
    thread.push(t);
    valueBytes.push(node.valueBytes);
    nAllocations.push(node.nAllocations);
    flags.push(
      (node.interesting ? TreeFlag.INTERESTING : 0) |
        (node.importSystem ? TreeFlag.IMPORT_SYSTEM : 0) |
        ("elided" in node && node.elided ? TreeFlag.ELIDED : 0),
    );
    for (let i = node.children.length - 1; i >= 0; i--) work.push({ node: node.children[i]!, parent: index });
  }
  return {
    size: parent.length,
    parent: Int32Array.from(parent),
    frame: Int32Array.from(frame),
    frames,
    thread: Int32Array.from(thread),
    threads,
    valueBytes: Float64Array.from(valueBytes),
    nAllocations: Float64Array.from(nAllocations),
    flags: Uint8Array.from(flags),
  };
}

/** memray's command line and the runpy module that starts the script (`bin/memray`, `.../memray/commands/run.py`). */
const RUNNER_FILE = /(^|[\\/])memray([\\/]|$)|(^|[\\/])runpy\.py$|^<frozen runpy>$/;

/**
 * The frames `memray run` puts above the script on the main thread: the outermost
 * `skippedFrames` (the header's skipped_frames_on_main_tid) of a path made only of memray's and
 * runpy's own frames. memray trims them from every main-thread stack, except in temporal data,
 * whose threads are merged: there they are marked not interesting (in place), so "Hide
 * irrelevant frames" hides them and the temporal view over the whole run shows what the peak
 * view shows.
 */
export function markRunnerFrames(tree: FlameColumns, skippedFrames: number): void {
  if (skippedFrames <= 0) return;
  // depth[i]: node i's depth when every frame above it is a runner frame, else 0.
  const depth = new Int32Array(tree.size);
  for (let i = 1; i < tree.size; i++) {
    const p = tree.parent[i]!;
    const d = p === 0 ? 1 : depth[p]! > 0 ? depth[p]! + 1 : 0;
    if (d === 0 || d > skippedFrames || !RUNNER_FILE.test(tree.frames[tree.frame[i]!]!.filename)) continue;
    depth[i] = d;
    tree.flags[i] = tree.flags[i]! & ~TreeFlag.INTERESTING;
  }
}
