/**
 * The look-up tables a capture builds while it is read: frames, the Python stack table
 * (parent pointers, as memray numbers them), native stacks, memory maps and thread names.
 * Records refer to these by id; nothing here is a report tree.
 */
import type { Frame, ImageSegments } from "./records.ts";
import { lineForOffset } from "./linetable.ts";
import { IntPairTable, PairIdIndex } from "./pair-table.ts";
import { resized } from "../shared/typed-arrays.ts";

interface CodeObject {
  function: string;
  filename: string;
  firstLine: number;
  lineTable: Uint8Array;
}

/** A native frame. Symbols need the binaries, so we keep the image and the offset into it. */
export interface NativeFrame {
  ip: number;
  /** The image that holds `ip` in the record's map generation, or null. */
  module: string | null;
  /** `ip` minus the image's load address. */
  offset: number;
}

const EMPTY_LINE_TABLE = new Uint8Array(0);

/**
 * The deepest Python stack read: 4,096 frames (CPython's default recursion limit is 1,000;
 * memray's flame graphs stop at 400). Reports walk whole stacks per location, so deeper ones
 * make them quadratic (65,536 frames took minutes, measured): the decoder stops there instead,
 * flagged like a cut capture (see CaptureDecoder).
 */
export const MAX_STACK_DEPTH = 1 << 12;

export class CaptureTables {
  /** `PY_VERSION_HEX` for line tables (header 12+). */
  pythonVersion = 0;
  mainTid = 0;
  skippedFramesOnMainTid = 0;

  // Frames by id. Header 11 stores them resolved; header 12+ stores (code, offset, entry).
  private readonly v11Frames: Frame[] = [];
  private frameCode = new Int32Array(256);
  private frameOffset = new Int32Array(256);
  private frameEntry = new Uint8Array(256);
  private frameCount = 0;
  private frameByKey = new IntPairTable();
  private readonly resolved: Array<Frame | undefined> = [];
  private readonly codeObjects = new Map<number, CodeObject>();

  // Python stack table: node 0 is the empty stack.
  stackParent = new Int32Array(1024);
  stackFrame = new Int32Array(1024);
  stackCount = 1;
  private stackChild = new PairIdIndex();
  private stackChildWide = new Map<string, number>();

  // Native stack table: node 0 is the empty stack; node k is the k-th NATIVE_TRACE_INDEX.
  nativeIp = new Float64Array(1024);
  nativeParent = new Int32Array(1024);
  nativeCount = 1;

  /** Memory-map generations; index 0 is "no maps seen". */
  readonly mapGenerations: ImageSegments[][] = [[]];
  /** Thread names as they were set: the last one set before `seq` wins. */
  readonly threadNameEvents: Array<{ seq: number; tid: number; name: string }> = [];

  // ----- building (called by the decoder) -----

  addV11Frame(id: number, frame: Frame): void {
    this.v11Frames[id] = frame;
  }

  addCodeObject(id: number, fn: string, filename: string, firstLine: number, lineTable: Uint8Array): void {
    this.codeObjects.set(id, { function: fn, filename, firstLine, lineTable });
  }

  /** The frame id of (code object, bytecode offset, entry flag), numbered by first appearance. */
  frameIdFor(codeId: number, offset: number, isEntry: boolean): number {
    if (codeId < 2 ** 31 && offset >= -(2 ** 30) && offset < 2 ** 30) {
      const b = offset * 2 + (isEntry ? 1 : 0);
      const found = this.frameByKey.get(codeId, b);
      if (found >= 0) return found;
      const id = this.newFrame(codeId, offset, isEntry);
      this.frameByKey.add(codeId, b, id);
      return id;
    }
    // Out-of-range values (corrupt or exotic files): a slow but exact string key.
    return this.frameIdWide(codeId, offset, isEntry);
  }

  private frameByWideKey = new Map<string, number>();
  private frameIdWide(codeId: number, offset: number, isEntry: boolean): number {
    const key = `${codeId}:${offset}:${isEntry}`;
    let id = this.frameByWideKey.get(key);
    if (id === undefined) {
      id = this.newFrame(codeId, offset, isEntry);
      this.frameByWideKey.set(key, id);
    }
    return id;
  }

  /** Frames numbered so far: an aggregated file's next FRAME record must have this id (or less). */
  get framesDefined(): number {
    return this.frameCount;
  }

  /** Aggregated files (header 12+) list their frames with explicit ids 0, 1, 2 … in order. */
  setFrame(id: number, codeId: number, offset: number, isEntry: boolean): void {
    // Never size the table by an untrusted id: the decoder rejects ids past the next one.
    if (id > this.frameCount) throw new RangeError(`frame id ${id} out of order (next is ${this.frameCount})`);
    if (id === this.frameCount) this.newFrame(0, -1, true);
    this.frameCode[id] = codeId;
    this.frameOffset[id] = offset;
    this.frameEntry[id] = isEntry ? 1 : 0;
  }

  private newFrame(codeId: number, offset: number, isEntry: boolean): number {
    const id = this.frameCount++;
    if (id >= this.frameCode.length) {
      const n = this.frameCode.length * 2;
      this.frameCode = resized(this.frameCode, n);
      this.frameOffset = resized(this.frameOffset, n);
      this.frameEntry = resized(this.frameEntry, n);
    }
    this.frameCode[id] = codeId;
    this.frameOffset[id] = offset;
    this.frameEntry[id] = isEntry ? 1 : 0;
    return id;
  }

  /** The child of stack node `parent` for `frameId`, created on first use (memray's numbering). */
  stackChildOf(parent: number, frameId: number): number {
    if (frameId < 2 ** 31 && parent < 2 ** 31) {
      const found = this.stackChild.get(parent, frameId, this.stackParent, this.stackFrame);
      if (found >= 0) return found;
      const node = this.newStackNode(parent, frameId);
      this.stackChild.add(node, this.stackParent, this.stackFrame);
      return node;
    }
    const key = `${parent}:${frameId}`;
    let node = this.stackChildWide.get(key);
    if (node === undefined) {
      node = this.newStackNode(parent, frameId);
      this.stackChildWide.set(key, node);
    }
    return node;
  }

  private newStackNode(parent: number, frameId: number): number {
    const node = this.stackCount++;
    if (node >= this.stackParent.length) {
      this.stackParent = resized(this.stackParent, node * 2);
      this.stackFrame = resized(this.stackFrame, node * 2);
    }
    this.stackParent[node] = parent;
    this.stackFrame[node] = frameId;
    return node;
  }

  /**
   * The read is over: drop the indexes only building needs (the stack child index, the frame
   * key table) and trim the tables to their counts, since the analysis holds them to the end.
   * On generated_cardinality (3.1M stack nodes) this frees 32 MB of child index and 7 MB of
   * slack.
   */
  finishReading(): void {
    this.stackChild.release();
    this.frameByKey.release();
    this.stackChild = new PairIdIndex();
    this.stackChildWide = new Map();
    this.frameByKey = new IntPairTable();
    this.frameByWideKey = new Map();
    this.stackParent = resized(this.stackParent, this.stackCount);
    this.stackFrame = resized(this.stackFrame, this.stackCount);
    this.nativeIp = resized(this.nativeIp, this.nativeCount);
    this.nativeParent = resized(this.nativeParent, this.nativeCount);
    this.frameCode = resized(this.frameCode, this.frameCount);
    this.frameOffset = resized(this.frameOffset, this.frameCount);
    this.frameEntry = resized(this.frameEntry, this.frameCount);
  }

  /** The tables' own buffers, to move them to another thread without a copy. */
  buffers(): ArrayBuffer[] {
    return [this.stackParent, this.stackFrame, this.nativeIp, this.nativeParent, this.frameCode, this.frameOffset, this.frameEntry]
      .map((a) => a.buffer as ArrayBuffer);
  }

  addNativeNode(ip: number, parent: number): void {
    const node = this.nativeCount++;
    if (node >= this.nativeIp.length) {
      this.nativeIp = resized(this.nativeIp, node * 2);
      this.nativeParent = resized(this.nativeParent, node * 2);
    }
    this.nativeIp[node] = ip;
    this.nativeParent[node] = parent;
  }

  // ----- reading (called by the analysis) -----

  /** The frame with this id, line resolved. Unknown code objects give empty strings, line 0. */
  frame(id: number): Frame {
    let frame = this.resolved[id];
    if (frame !== undefined) return frame;
    const v11 = this.v11Frames[id];
    if (v11 !== undefined) {
      frame = v11;
    } else if (id < this.frameCount) {
      const code = this.codeObjects.get(this.frameCode[id]!);
      const offset = this.frameOffset[id]!;
      frame = code
        ? {
            function: code.function,
            filename: code.filename,
            lineno: lineForOffset(this.pythonVersion, code.lineTable ?? EMPTY_LINE_TABLE, code.firstLine, offset),
            isEntry: this.frameEntry[id] === 1,
          }
        : { function: "", filename: "", lineno: 0, isEntry: this.frameEntry[id] === 1 };
    } else {
      frame = { function: "", filename: "", lineno: 0, isEntry: true };
    }
    this.resolved[id] = frame;
    return frame;
  }

  /** Frame ids of a stack, innermost first, before main-thread trimming. */
  stackFrameIds(stackId: number): number[] {
    const ids: number[] = [];
    let node = stackId;
    // Parents precede their children (the decoder checks it), so this ends; the guard is belt and braces.
    let guard = this.stackCount;
    while (node > 0 && node < this.stackCount && guard-- > 0) {
      ids.push(this.stackFrame[node]!);
      node = this.stackParent[node]!;
    }
    return ids;
  }

  /**
   * How many outermost frames memray drops from a stack of thread `tid`: on the main thread the
   * `skippedFramesOnMainTid` frames of memray's own CLI, elsewhere none. The one place of this rule.
   */
  trimmedFrames(tid: number): number {
    return tid === this.mainTid ? this.skippedFramesOnMainTid : 0;
  }

  /** The frame ids of a record's Python stack, innermost first, trimmed for `tid` (see trimmedFrames). */
  pythonStackIds(stackId: number, tid: number): number[] {
    const ids = this.stackFrameIds(stackId);
    ids.length = Math.max(0, ids.length - this.trimmedFrames(tid));
    return ids;
  }

  /** The Python stack of a record, innermost first, as memray reports it (see trimmedFrames). */
  pythonStack(stackId: number, tid: number): Frame[] {
    return this.pythonStackIds(stackId, tid).map((id) => this.frame(id));
  }

  /** Instruction pointers of a native stack, innermost first. */
  nativeIps(nativeId: number): number[] {
    const ips: number[] = [];
    let node = nativeId;
    let guard = this.nativeCount;
    while (node > 0 && node < this.nativeCount && guard-- > 0) {
      ips.push(this.nativeIp[node]!);
      node = this.nativeParent[node]!;
    }
    return ips;
  }

  /** A native stack with each ip placed in its image of map generation `generation`. */
  nativeStack(nativeId: number, generation: number): NativeFrame[] {
    return this.nativeIps(nativeId).map((ip) => this.nativeFrame(ip, generation));
  }

  /** The image (module and offset) of one ip under map generation `generation`. */
  nativeFrame(ip: number, generation: number): NativeFrame {
    const segments = this.sortedSegments(generation);
    // memray's look-up: the first segment (by start, end, file) whose end is ≥ ip, and only if
    // it holds ip, so an ip equal to one segment's end is in no image even when another
    // segment starts there.
    let lo = 0;
    let hi = segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segments[mid]!.end < ip) lo = mid + 1;
      else hi = mid;
    }
    const s = segments[lo];
    if (s !== undefined && s.start <= ip && ip < s.end) return { ip, module: s.image.filename, offset: ip - s.image.loadAddress };
    return { ip, module: null, offset: ip };
  }

  private readonly segmentIndex = new Map<number, Array<{ start: number; end: number; image: ImageSegments }>>();

  private sortedSegments(generation: number): Array<{ start: number; end: number; image: ImageSegments }> {
    let index = this.segmentIndex.get(generation);
    if (index !== undefined) return index;
    index = [];
    for (const image of this.mapGenerations[generation] ?? []) {
      for (const [vaddr, memsz] of image.segments) {
        index.push({ start: image.loadAddress + vaddr, end: image.loadAddress + vaddr + memsz, image });
      }
    }
    index.sort((a, b) => a.start - b.start || a.end - b.end || (a.image.filename < b.image.filename ? -1 : a.image.filename > b.image.filename ? 1 : 0));
    this.segmentIndex.set(generation, index);
    return index;
  }

  /** The thread's name as of record `seq` (the last one set before it), or null. */
  threadName(tid: number, beforeSeq = Number.POSITIVE_INFINITY): string | null {
    let name: string | null = null;
    for (const event of this.threadNameEvents) {
      if (event.seq > beforeSeq) break;
      if (event.tid === tid) name = event.name;
    }
    return name;
  }

  /** Every thread id that has a name, with its last name. */
  threadNames(): Map<number, string> {
    const names = new Map<number, string>();
    for (const event of this.threadNameEvents) names.set(event.tid, event.name);
    return names;
  }
}
