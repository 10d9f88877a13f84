/**
 * Differential flame trees: two trees of one view (peak, leaks, temporary, inverted) merged into
 * one whose nodes carry both runs' bytes and allocation counts. Pure, no I/O.
 *
 * The diff reads its inputs through `DiffSource`, a small accessor, so it runs on decoded data
 * files (TreeData, where a node is an index: the compare pages in the browser, and `heaptrail
 * compare`, which decodes capture files' trees as their data files would hold them) and on
 * FlameNode objects (`flameNodeSource`) without turning either into the other. Its output is
 * columnar too.
 *
 * Node identity is memray's: (frame, thread label) under the same parent. Stacks found in one run
 * only are kept (their other side is 0), so the root carries each run's own total. Pruned
 * "smaller frames" nodes match each other per parent and thread; a frame missing on one side
 * whose parent there has a "smaller frames" node may be hiding inside it, and is flagged so
 * (`DiffFlag.MAYBE_PRUNED`) instead of being called new or vanished.
 */

/** Read access to one tree; `N` is whatever names a node (an object, an index). */
export interface DiffSource<N> {
  root: N;
  children(node: N): readonly N[];
  function(node: N): string;
  filename(node: N): string;
  lineno(node: N): number;
  thread(node: N): string;
  /** Bytes of the node's whole subtree. */
  valueBytes(node: N): number;
  nAllocations(node: N): number;
  /** A pruned node standing for several narrow siblings ("N smaller frames"). */
  isOther(node: N): boolean;
  /** memray's `interesting` (not runtime/CPython internals), for the site's filter. */
  interesting(node: N): boolean;
  importSystem(node: N): boolean;
}

export const DiffFlag = {
  INTERESTING: 1,
  IMPORT_SYSTEM: 2,
  /** A "smaller frames" node (on either side). */
  OTHER: 4,
  /** Only in head. */
  NEW: 8,
  /** Only in base. */
  VANISHED: 16,
  /** Missing on one side whose parent merged narrow frames there: it may be in those. */
  MAYBE_PRUNED: 32,
} as const;

/** The merged tree as columns, preorder, node 0 the root (parent −1). */
export interface DiffTree {
  size: number;
  parent: Int32Array;
  children: number[][];
  function: string[];
  filename: string[];
  lineno: Int32Array;
  thread: string[];
  baseBytes: Float64Array;
  headBytes: Float64Array;
  baseCount: Float64Array;
  headCount: Float64Array;
  flags: Uint8Array;
  /** Pruned "smaller frames" nodes in base / head (0 when a run was not pruned). */
  prunedNodes: { base: number; head: number };
}

/** The identity of a node among its siblings. */
function keyOf<N>(s: DiffSource<N>, n: N): string {
  if (s.isOther(n)) return `\u0001other\u0000${s.thread(n)}`;
  return `${s.function(n)}\u0000${s.filename(n)}\u0000${s.lineno(n)}\u0000${s.thread(n)}`;
}

/** Same identity as `keyOf`, without building strings. */
function sameNode<B, H>(base: DiffSource<B>, b: B, head: DiffSource<H>, h: H): boolean {
  const other = base.isOther(b);
  if (other !== head.isOther(h) || base.thread(b) !== head.thread(h)) return false;
  return other || (base.lineno(b) === head.lineno(h) && base.function(b) === head.function(h) && base.filename(b) === head.filename(h));
}

function flagsOf<N>(s: DiffSource<N>, n: N): number {
  return (s.interesting(n) ? DiffFlag.INTERESTING : 0) | (s.importSystem(n) ? DiffFlag.IMPORT_SYSTEM : 0) | (s.isOther(n) ? DiffFlag.OTHER : 0);
}

const NONE: readonly never[] = [];

/** Merge `base` and `head` into one tree (see the module comment). */
export function diffTrees<B, H>(base: DiffSource<B>, head: DiffSource<H>): DiffTree {
  const parent: number[] = [];
  const fn: string[] = [];
  const file: string[] = [];
  const line: number[] = [];
  const thread: string[] = [];
  const bb: number[] = [];
  const hb: number[] = [];
  const bc: number[] = [];
  const hc: number[] = [];
  const flags: number[] = [];
  const children: number[][] = [];
  const pruned = { base: 0, head: 0 };

  const push = (p: number, b: B | null, h: H | null, extra: number): number => {
    const i = parent.length;
    parent.push(p);
    children.push([]);
    if (p >= 0) children[p]!.push(i);
    if (h !== null) {
      fn.push(head.function(h));
      file.push(head.filename(h));
      line.push(head.lineno(h));
      thread.push(head.thread(h));
    } else {
      fn.push(base.function(b!));
      file.push(base.filename(b!));
      line.push(base.lineno(b!));
      thread.push(base.thread(b!));
    }
    bb.push(b !== null ? base.valueBytes(b) : 0);
    bc.push(b !== null ? base.nAllocations(b) : 0);
    hb.push(h !== null ? head.valueBytes(h) : 0);
    hc.push(h !== null ? head.nAllocations(h) : 0);
    let f = extra | (h !== null ? flagsOf(head, h) : 0) | (b !== null ? flagsOf(base, b) : 0);
    if (b !== null && base.isOther(b)) pruned.base++;
    if (h !== null && head.isOther(h)) pruned.head++;
    if (b === null) f |= DiffFlag.NEW;
    if (h === null) f |= DiffFlag.VANISHED;
    flags.push(f);
    return i;
  };

  // Iterative: stacks go 400 deep. Children come in head order, then vanished base children.
  const work: Array<{ b: B | null; h: H | null; p: number; extra: number }> = [{ b: base.root, h: head.root, p: -1, extra: 0 }];
  while (work.length > 0) {
    const { b, h, p, extra } = work.pop()!;
    const i = push(p, b, h, extra);
    const bKids = b !== null ? base.children(b) : NONE;
    const hKids = h !== null ? head.children(h) : NONE;
    // Pushed in reverse so they come off the stack in order: head's children, then vanished ones.
    if (bKids.length === 0 || hKids.length === 0) {
      // Nothing to match (most nodes: a leaf, or a stack only one run has).
      for (let k = bKids.length - 1; k >= 0; k--) work.push({ b: bKids[k]!, h: null, p: i, extra: 0 });
      for (let k = hKids.length - 1; k >= 0; k--) work.push({ b: null, h: hKids[k]!, p: i, extra: 0 });
      continue;
    }
    // Both runs of one program usually list a node's children in the same order: pair them by
    // position first, and key the rest (no key strings for the common case).
    const matches: Array<B | null> = new Array(hKids.length).fill(null);
    const used = new Uint8Array(bKids.length);
    let unmatched = 0;
    let baseHasOther = false;
    let headHasOther = false;
    for (let k = 0; k < hKids.length; k++) {
      const c = hKids[k]!;
      if (head.isOther(c)) headHasOther = true;
      if (k < bKids.length && sameNode(base, bKids[k]!, head, c)) {
        matches[k] = bKids[k]!;
        used[k] = 1;
      } else unmatched++;
    }
    const byKey = new Map<string, B>();
    for (let k = 0; k < bKids.length; k++) {
      if (base.isOther(bKids[k]!)) baseHasOther = true;
      if (!used[k]) byKey.set(keyOf(base, bKids[k]!), bKids[k]!);
    }
    if (unmatched > 0 && byKey.size > 0) {
      for (let k = 0; k < hKids.length; k++) {
        if (matches[k] !== null) continue;
        const key = keyOf(head, hKids[k]!);
        const match = byKey.get(key);
        if (match !== undefined) {
          byKey.delete(key);
          matches[k] = match;
        }
      }
    }
    const vanished = [...byKey.values()];
    for (let k = vanished.length - 1; k >= 0; k--) {
      const c = vanished[k]!;
      work.push({ b: c, h: null, p: i, extra: headHasOther && !base.isOther(c) ? DiffFlag.MAYBE_PRUNED : 0 });
    }
    for (let k = hKids.length - 1; k >= 0; k--) {
      const c = hKids[k]!;
      const maybe = matches[k] === null && baseHasOther && !head.isOther(c) ? DiffFlag.MAYBE_PRUNED : 0;
      work.push({ b: matches[k]!, h: c, p: i, extra: maybe });
    }
  }
  return {
    size: parent.length,
    parent: Int32Array.from(parent),
    children,
    function: fn,
    filename: file,
    lineno: Int32Array.from(line),
    thread,
    baseBytes: Float64Array.from(bb),
    headBytes: Float64Array.from(hb),
    baseCount: Float64Array.from(bc),
    headCount: Float64Array.from(hc),
    flags: Uint8Array.from(flags),
    prunedNodes: pruned,
  };
}

/** A call site (an allocating location) with the bytes allocated right there in both runs. */
export interface CallSiteChange {
  function: string;
  filename: string;
  lineno: number;
  baseBytes: number;
  headBytes: number;
  baseCount: number;
  headCount: number;
  deltaBytes: number;
}

/**
 * The call sites that explain a diff: each frame's own bytes (its bytes minus its children's),
 * summed over every stack it ends, ordered by the size of the change, biggest first. "Smaller
 * frames" nodes are left out: they name no call site.
 */
export function callSiteChanges(diff: DiffTree, limit = 10): CallSiteChange[] {
  const sites = new Map<string, CallSiteChange>();
  for (let i = 1; i < diff.size; i++) {
    if (diff.flags[i]! & DiffFlag.OTHER) continue;
    let ob = diff.baseBytes[i]!;
    let oh = diff.headBytes[i]!;
    let cb = diff.baseCount[i]!;
    let ch = diff.headCount[i]!;
    for (const c of diff.children[i]!) {
      ob -= diff.baseBytes[c]!;
      oh -= diff.headBytes[c]!;
      cb -= diff.baseCount[c]!;
      ch -= diff.headCount[c]!;
    }
    if (ob === 0 && oh === 0) continue;
    const key = `${diff.function[i]}\u0000${diff.filename[i]}\u0000${diff.lineno[i]}`;
    let s = sites.get(key);
    if (!s) {
      s = { function: diff.function[i]!, filename: diff.filename[i]!, lineno: diff.lineno[i]!, baseBytes: 0, headBytes: 0, baseCount: 0, headCount: 0, deltaBytes: 0 };
      sites.set(key, s);
    }
    s.baseBytes += ob;
    s.headBytes += oh;
    s.baseCount += Math.max(0, cb);
    s.headCount += Math.max(0, ch);
    s.deltaBytes = s.headBytes - s.baseBytes;
  }
  return [...sites.values()]
    .filter((s) => s.deltaBytes !== 0)
    .sort((a, b) => Math.abs(b.deltaBytes) - Math.abs(a.deltaBytes) || a.function.localeCompare(b.function) || a.lineno - b.lineno)
    .slice(0, limit);
}

/** A FlameNode tree (the analysis's model) as a diff source. */
export function flameNodeSource<N extends { function: string; filename: string; lineno: number; thread: string; valueBytes: number; nAllocations: number; interesting: boolean; importSystem: boolean; children: N[] }>(
  root: N,
): DiffSource<N> {
  return {
    root,
    children: (n) => n.children,
    function: (n) => n.function,
    filename: (n) => n.filename,
    lineno: (n) => n.lineno,
    thread: (n) => n.thread,
    valueBytes: (n) => n.valueBytes,
    nAllocations: (n) => n.nAllocations,
    // Analysis trees are never pruned: pruning happens when the content stage writes them.
    isOther: () => false,
    interesting: (n) => n.interesting,
    importSystem: (n) => n.importSystem,
  };
}
