/**
 * The capture decoder: raw capture bytes in (any chunking), records out to a visitor.
 *
 * Data is copied into a work buffer followed by zero padding, and each record is decoded
 * without bounds checks; a record that ran into the padding is rolled back and decoded again
 * when more bytes arrive. Registers change only once a record is complete, so a rollback
 * needs no undo. See docs/capture-format.md §2–§4 for the format.
 */
import { CaptureError } from "./errors.ts";
import {
  ALLOCATOR_KIND,
  AllocatorKind,
  CAPTURE_MAGIC,
  FileFormat,
  isAllocatorId,
  type CaptureHeader,
  type CaptureVisitor,
  type Frame,
  type ImageSegments,
  V11_ALLOCATORS,
} from "./records.ts";
import { CaptureTables, MAX_STACK_DEPTH } from "./tables.ts";
import { addDelta, OVERLONG_VARINT, readSvar, readUvar, varint } from "./varint.ts";

const PAD = 64;
/**
 * Input is decoded at most this much at a time, so the work buffer stays at its 256 KiB unless a
 * single record is larger: whole 1 MiB LZ4 hand-offs grew it to 2 MiB (json_churn).
 */
const PIECE_BYTES = 128 * 1024;
/** The push cache's size (see CaptureDecoder.pushCache): 2^12 slots of 16 bytes. */
const PUSH_CACHE_BITS = 12;
const PUSH_CACHE_SHIFT = 32 - PUSH_CACHE_BITS;
/** One record larger than this is taken as corruption rather than buffered forever. */
const MAX_RECORD_BYTES = 64 << 20;
export const SUPPORTED_VERSIONS = [11, 12, 13] as const;

const utf8 = new TextDecoder("utf-8");
const noop = (): void => {};

/**
 * The 15-entry address cache (§3.3), kept as a ring so a miss is one store: logical slot i is
 * `cache[(head + i) % 15]`; slot 15 in a record means "not cached, a pointer delta follows".
 */
const CACHE_MISS = 15;
function cachedAddress(cache: Float64Array, head: number, slot: number): number {
  return cache[head + slot < 15 ? head + slot : head + slot - 15]!;
}
/** A miss shifts the cache down by one (move the ring's head back); returns the new head. */
function cacheMiss(cache: Float64Array, head: number, address: number): number {
  const next = head === 0 ? 14 : head - 1;
  cache[next] = address;
  return next;
}

/** The records every format has, decoded by one method (rareRecordAt) whatever their type byte. */
const Rare = {
  MEMORY_RECORD: 1,
  NATIVE_TRACE_INDEX: 2,
  MEMORY_MAP_START: 3,
  SEGMENT_HEADER: 4,
  THREAD_RECORD: 5,
  CONTEXT_SWITCH: 6,
  CODE_OBJECT: 7,
} as const;
const NOT_RARE = 0;

/** Type byte (or header 11's type nibble) → Rare kind, NOT_RARE for the others. */
function rareTable(entries: Array<[number, number]>): Uint8Array {
  const table = new Uint8Array(256);
  for (const [type, rare] of entries) table[type] = rare;
  return table;
}
const RARE_V12 = rareTable([
  [0x02, Rare.MEMORY_RECORD],
  [0x05, Rare.NATIVE_TRACE_INDEX],
  [0x06, Rare.MEMORY_MAP_START],
  [0x07, Rare.SEGMENT_HEADER],
  [0x0a, Rare.THREAD_RECORD],
  [0x0c, Rare.CONTEXT_SWITCH],
  [0x0e, Rare.CODE_OBJECT],
]);
const RARE_V11 = rareTable([
  [5, Rare.NATIVE_TRACE_INDEX],
  [6, Rare.MEMORY_MAP_START],
  [7, Rare.SEGMENT_HEADER],
  [10, Rare.THREAD_RECORD],
  [11, Rare.MEMORY_RECORD],
  [12, Rare.CONTEXT_SWITCH],
]);
const RARE_AGGREGATED = rareTable([
  [5, Rare.NATIVE_TRACE_INDEX],
  [6, Rare.MEMORY_MAP_START],
  [7, Rare.SEGMENT_HEADER],
  [10, Rare.THREAD_RECORD],
  [12, Rare.CONTEXT_SWITCH],
  [14, Rare.CODE_OBJECT],
]);

/** Thrown inside decoding when a record needs bytes that have not arrived yet. */
const NEED_MORE = Symbol("need more");
/** Thrown by pushFrame past MAX_STACK_DEPTH: reading stops there with a warning. */
const TOO_DEEP = Symbol("stack too deep");

export class CaptureDecoder {
  readonly tables = new CaptureTables();
  header: CaptureHeader | null = null;
  /** True once a TRAILER was read or reading stopped on an error. */
  done = false;
  complete = false;
  warning: string | null = null;
  nAllocationRecords = 0;
  nMemoryRecords = 0;
  /** Every record decoded, of any type (SEGMENTs count with their SEGMENT_HEADER). */
  nRecords = 0;

  private readonly visitor: CaptureVisitor;
  private readonly where: "file" | "decompressed";
  private buf = new Uint8Array(256 * 1024 + PAD);
  private start = 0; // first byte not yet decoded
  private end = 0; // end of data in `buf`
  private base = 0; // stream offset of buf[0]

  // Registers (§3.1) and reader state (§3.7).
  private curTid = 0;
  private sawContextSwitch = false;
  private dataPtr = 0;
  private nativeId = 0;
  private ip = 0;
  private frameIdReg = 0;
  private linenoReg = 0;
  private firstLineReg = 0;
  /** The address cache (§3.3, see cachedAddress) and its ring head. */
  private readonly addrCache = new Float64Array(15);
  private cacheHead = 0;
  private generation = 0;
  private readonly stacks = new Map<number, { nodes: Int32Array; depth: number }>();
  private cur: { nodes: Int32Array; depth: number } = { nodes: new Int32Array(64), depth: 0 };
  /**
   * Aggregated files list their stack nodes (PYTHON_TRACE_INDEX): each node's depth, to stop
   * at MAX_STACK_DEPTH. The other formats push frames on `cur`, which knows its depth, so the
   * stack table keeps none (16 MB on generated_cardinality's 3.1M nodes).
   */
  private traceDepth = new Int32Array(1024);
  /**
   * Recent FRAME_PUSH edges, direct-mapped: (parent node, code id, offset·2 + entry) → node, 4
   * numbers a slot, parent −1 when empty. Programs push the same few edges again and again, and
   * a hit skips the frame-key and stack-child hash look-ups.
   */
  private readonly pushCache = new Int32Array(4 << PUSH_CACHE_BITS).fill(-1);

  constructor(visitor: CaptureVisitor, where: "file" | "decompressed" = "file") {
    this.visitor = visitor;
    this.where = where;
  }

  /** Offset in the raw stream up to which records were decoded. */
  get offset(): number {
    return this.base + this.start;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    do {
      this.pushPiece(i === 0 && chunk.length <= PIECE_BYTES ? chunk : chunk.subarray(i, i + PIECE_BYTES));
      i += PIECE_BYTES;
    } while (i < chunk.length && !this.done);
  }

  private pushPiece(chunk: Uint8Array): void {
    if (this.done) return;
    const pending = this.end - this.start;
    if (pending + chunk.length + PAD > this.buf.length) {
      if (pending + chunk.length > MAX_RECORD_BYTES && pending > 0 && this.header) {
        this.stop(`a record larger than ${MAX_RECORD_BYTES} bytes`);
        return;
      }
      const grown = new Uint8Array(Math.max(this.buf.length * 2, pending + chunk.length + PAD));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.base += this.start;
      this.end = pending;
      this.start = 0;
    } else if (this.start > 0 && this.end + chunk.length + PAD > this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
      this.base += this.start;
      this.end = pending;
      this.start = 0;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    this.buf.fill(0, this.end, this.end + PAD);
    this.decode();
  }

  /** The stream has ended: whatever partial record is left is dropped, as memray does. */
  finish(): void {
    if (this.header === null) {
      const n = this.end - this.start;
      throw new CaptureError(
        n === 0 ? "empty capture: expected a memray header" : `capture ends inside its header: ${n} bytes, header incomplete`,
        this.base + this.end,
        this.where,
      );
    }
    if (!this.done) {
      this.done = true;
      const at = `byte ${this.offset}${this.where === "decompressed" ? " of the decompressed stream" : ""}`;
      if (this.end > this.start) {
        this.warning = `the data ends inside a record at ${at} (${this.end - this.start} bytes left over): the capture was cut short`;
      } else {
        this.warning = `the data ends at ${at} without a TRAILER: the process was probably killed`;
      }
    }
  }

  private stop(warning: string): void {
    this.done = true;
    this.warning = `${warning} at byte ${this.offset}${this.where === "decompressed" ? " of the decompressed stream" : ""}; records before it were kept`;
  }

  private fail(message: string, at: number): never {
    throw new CaptureError(message, this.base + at, this.where);
  }

  private decode(): void {
    if (this.header === null) {
      const header = this.decodeHeader();
      if (header === null) return;
      this.header = header;
      this.tables.pythonVersion = header.pythonVersion ?? 0;
      this.tables.mainTid = header.mainTid;
      this.tables.skippedFramesOnMainTid = header.skippedFramesOnMainTid;
      this.visitor.header?.(header);
    }
    const header = this.header;
    if (header.fileFormat === FileFormat.AGGREGATED_ALLOCATIONS) this.decodeAggregated();
    else if (header.version === 11) this.decodeV11();
    else this.decodeV12();
  }

  // ---------------------------------------------------------------- header (§2.2)

  private decodeHeader(): CaptureHeader | null {
    const buf = this.buf;
    const s = this.start;
    const available = this.end - s;
    for (let i = 0; i < CAPTURE_MAGIC.length && i < available; i++) {
      if (buf[s + i] !== CAPTURE_MAGIC[i]) {
        this.fail(`not a memray capture: expected the magic "memray\\0", found ${hexBytes(buf.subarray(s, s + Math.min(7, available)))}`, s);
      }
    }
    if (available < 11) return null;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const version = dv.getInt32(s + 7, true);
    if (!(SUPPORTED_VERSIONS as readonly number[]).includes(version)) {
      this.fail(
        `unsupported memray header version ${version}: heaptrail reads versions ${SUPPORTED_VERSIONS.join(", ")} (memray 1.11 to 1.20)`,
        s + 7,
      );
    }
    let p = s + 11;
    let pythonVersion: number | null = null;
    if (version >= 12) {
      pythonVersion = dv.getInt32(p, true);
      p += 4;
    }
    const nativeTraces = buf[p++] !== 0;
    const fileFormat = buf[p++]!;
    const nAllocations = u64(dv, p);
    const nFrames = u64(dv, p + 8);
    const startTimeMs = i64(dv, p + 16);
    const endTimeMs = i64(dv, p + 24);
    p += 32;
    const cmd = this.cstr(p);
    if (cmd === null) return null;
    p = cmd.next;
    if (p + 22 > this.end) return null;
    const pid = dv.getInt32(p, true);
    const mainTid = u64(dv, p + 4);
    const skippedFramesOnMainTid = u64(dv, p + 12);
    const pythonAllocator = buf[p + 20]!;
    const tracePythonAllocators = buf[p + 21] !== 0;
    p += 22;
    let trackObjectLifetimes = false;
    if (version >= 12) {
      if (p + 1 > this.end) return null;
      trackObjectLifetimes = buf[p++] !== 0;
    }
    let libdest: string | null = null;
    const sitePackages: string[] = [];
    const sysPath: string[] = [];
    if (version >= 13) {
      const lib = this.cstr(p);
      if (lib === null) return null;
      libdest = lib.text;
      p = lib.next;
      for (const list of [sitePackages, sysPath]) {
        while (true) {
          const entry = this.cstr(p);
          if (entry === null) return null;
          p = entry.next;
          if (entry.text === "") break;
          list.push(entry.text);
        }
      }
    }
    if (fileFormat > 1) this.fail(`unknown file format ${fileFormat}: expected 0 (all allocations) or 1 (aggregated)`, s + (version >= 12 ? 16 : 12));
    this.start = p;
    return {
      version,
      pythonVersion,
      nativeTraces,
      fileFormat,
      nAllocations,
      nFrames,
      startTimeMs,
      endTimeMs,
      commandLine: cmd.text,
      pid,
      mainTid,
      skippedFramesOnMainTid,
      pythonAllocator,
      tracePythonAllocators,
      trackObjectLifetimes,
      libdest,
      sitePackages,
      sysPath,
      sizeBytes: p - s,
    };
  }

  /** A NUL-terminated string at `p`, or null when its end has not arrived. */
  private cstr(p: number): { text: string; next: number } | null {
    const nul = this.buf.indexOf(0, p);
    if (nul < 0 || nul >= this.end) return null;
    return { text: utf8.decode(this.buf.subarray(p, nul)), next: nul + 1 };
  }

  /** Like cstr, inside a record: throws NEED_MORE instead of returning null. */
  private str(p: number): string {
    const nul = this.buf.indexOf(0, p);
    if (nul < 0 || nul >= this.end) throw NEED_MORE;
    strEnd = nul + 1;
    return utf8.decode(this.buf.subarray(p, nul));
  }

  // ---------------------------------------------------------------- thread stacks (§3.7)

  private contextSwitch(tid: number): void {
    this.curTid = tid;
    this.sawContextSwitch = true;
    let stack = this.stacks.get(tid);
    if (stack === undefined) {
      stack = { nodes: new Int32Array(64), depth: 0 };
      this.stacks.set(tid, stack);
    }
    this.cur = stack;
  }

  private pushFrame(frameId: number): void {
    const stack = this.cur;
    if (stack.depth >= MAX_STACK_DEPTH) throw TOO_DEEP;
    const parent = stack.depth > 0 ? stack.nodes[stack.depth - 1]! : 0;
    const node = this.tables.stackChildOf(parent, frameId);
    if (stack.depth === stack.nodes.length) this.growStack();
    stack.nodes[stack.depth++] = node;
  }

  /** Double the current thread's stack array; returns the new one. */
  private growStack(): Int32Array {
    const stack = this.cur;
    const grown = new Int32Array(stack.nodes.length * 2);
    grown.set(stack.nodes);
    stack.nodes = grown;
    return grown;
  }

  /**
   * The stack node a header-12+ FRAME_PUSH of (code id, offset, entry bit) makes on top of
   * `parent`: the push cache first, else the two table look-ups (frame id, then child node).
   */
  private childFor(parent: number, codeId: number, offset: number, entry: number): number {
    const tables = this.tables;
    if (codeId >= 2 ** 31 || offset < -(2 ** 30) || offset >= 2 ** 30) {
      return tables.stackChildOf(parent, tables.frameIdFor(codeId, offset, entry === 1));
    }
    const b = offset * 2 + entry;
    const cache = this.pushCache;
    const k = ((Math.imul(parent ^ Math.imul(b, 0x85ebca6b), 0x9e3779b1) ^ Math.imul(codeId, 0xc2b2ae35)) >>> PUSH_CACHE_SHIFT) << 2;
    if (cache[k] === parent && cache[k + 1] === codeId && cache[k + 2] === b) return cache[k + 3]!;
    const node = tables.stackChildOf(parent, tables.frameIdFor(codeId, offset, entry === 1));
    cache[k] = parent;
    cache[k + 1] = codeId;
    cache[k + 2] = b;
    cache[k + 3] = node;
    return node;
  }

  private popFrames(n: number): void {
    // Popping past the bottom is undefined in memray; clamp at empty.
    this.cur.depth = Math.max(0, this.cur.depth - n);
  }

  // ---------------------------------------------------------------- memory maps (§3.4)

  /** SEGMENT_HEADER and its SEGMENT records, decoded as one unit. Returns the next position. */
  private segmentHeader(p: number): number {
    const filename = this.str(p);
    p = readUvar(this.buf, strEnd);
    const count = varint.value;
    if (p + 8 > this.end) throw NEED_MORE;
    const dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    const loadAddress = u64(dv, p);
    p += 8;
    const segments: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      if (p + 9 > this.end) throw NEED_MORE;
      if (this.buf[p] !== 0x08) this.fail(`expected SEGMENT record ${i + 1} of ${count} (byte 0x08), found 0x${hex(this.buf[p]!)}`, p);
      const vaddr = u64(dv, p + 1);
      p = readUvar(this.buf, p + 9);
      segments.push([vaddr, varint.value]);
    }
    if (p > this.end) throw NEED_MORE;
    const image: ImageSegments = { filename, loadAddress, segments };
    this.tables.mapGenerations[this.generation]!.push(image);
    return p;
  }

  private memoryMapStart(): void {
    this.generation++;
    this.tables.mapGenerations[this.generation] = [];
  }

  private threadName(name: string): void {
    this.tables.threadNameEvents.push({ seq: this.nAllocationRecords, tid: this.curTid, name });
  }

  // ---------------------------------------------------------------- records every version shares
  // Cold records, decoded by methods: they read at `p`, throw NEED_MORE when bytes are missing
  // (before changing any state), and return the position after the record.

  private memoryRecordAt(p: number): number {
    p = readUvar(this.buf, p);
    const rss = varint.value;
    p = readUvar(this.buf, p);
    if (p > this.end) throw NEED_MORE;
    this.nMemoryRecords++;
    this.visitor.memoryRecord?.(this.header!.startTimeMs + varint.value, rss);
    return p;
  }

  /** NATIVE_TRACE_INDEX: node k+1 is (ip, parent); both registers are deltas. */
  private nativeTraceIndexAt(p: number): number {
    p = readSvar(this.buf, p);
    const ip = addDelta(this.ip, varint.value);
    p = readSvar(this.buf, p);
    if (p > this.end) throw NEED_MORE;
    this.ip = ip;
    this.nativeId = addDelta(this.nativeId, varint.value);
    this.tables.addNativeNode(ip, this.nativeId);
    return p;
  }

  private threadRecordAt(p: number, recordStart: number): number {
    const name = this.str(p);
    if (!this.sawContextSwitch && this.header!.version >= 12 && this.header!.fileFormat === FileFormat.ALL_ALLOCATIONS) {
      this.fail("THREAD_RECORD before any CONTEXT_SWITCH", recordStart);
    }
    this.threadName(name);
    return strEnd;
  }

  private contextSwitchAt(p: number): number {
    if (p + 8 > this.end) throw NEED_MORE;
    this.contextSwitch(u64at(this.buf, p));
    return p + 8;
  }

  private codeObjectAt(p: number): number {
    p = readUvar(this.buf, p);
    const codeId = varint.value;
    const fn = this.str(p);
    const filename = this.str(strEnd);
    p = readSvar(this.buf, strEnd);
    const firstLine = addDelta(this.firstLineReg, varint.value);
    p = readUvar(this.buf, p);
    const tableLen = varint.value;
    if (p + tableLen > this.end) throw NEED_MORE;
    this.firstLineReg = firstLine;
    this.tables.addCodeObject(codeId, fn, filename, firstLine, this.buf.slice(p, p + tableLen));
    return p + tableLen;
  }

  /**
   * The records every format shares, in one place for the three decode loops (each maps its own
   * type bytes to them: RARE_V12, RARE_V11, RARE_AGGREGATED). Works on the registers in `this`;
   * returns the position after the record, or throws NEED_MORE before changing anything.
   */
  private rareRecordAt(rare: number, p: number, recordStart: number): number {
    switch (rare) {
      case Rare.MEMORY_RECORD:
        return this.memoryRecordAt(p);
      case Rare.NATIVE_TRACE_INDEX:
        return this.nativeTraceIndexAt(p);
      case Rare.MEMORY_MAP_START:
        this.memoryMapStart();
        return p;
      case Rare.SEGMENT_HEADER:
        return this.segmentHeader(p);
      case Rare.THREAD_RECORD:
        return this.threadRecordAt(p, recordStart);
      case Rare.CONTEXT_SWITCH:
        return this.contextSwitchAt(p);
      case Rare.CODE_OBJECT:
        return this.codeObjectAt(p);
      default:
        throw new Error(`internal: unknown rare record ${rare}`);
    }
  }

  // ---------------------------------------------------------------- header 12 and 13 (§3.3)

  private decodeV12(): void {
    const buf = this.buf;
    const end = this.end;
    const onAllocation = this.visitor.allocation ?? noop;
    const native = this.header!.nativeTraces;
    const cache = this.addrCache;
    let pos = this.start;
    let dataPtr = this.dataPtr;
    let nativeId = this.nativeId;
    let seq = this.nAllocationRecords;
    let head = this.cacheHead;
    // The current thread's stack, in locals: reloaded after the rare records (CONTEXT_SWITCH).
    let stack = this.cur;
    let nodes = stack.nodes;
    let depth = stack.depth;
    let records = 0;
    let whole = true; // false when the loop stopped inside a record
    try {
      while (pos < end) {
        records++;
        const t = buf[pos]!;
        let p = pos + 1;
        if (t & 0x80) {
          // ALLOCATION 0b1pppp_aaa. One-byte varints (most deltas and native ids, small sizes)
          // are decoded inline: the calls were 120 ms of docutils.native's 420 ms decode.
          const slot = (t >> 3) & 15;
          let ptr = dataPtr;
          let address: number;
          if (slot === CACHE_MISS) {
            const b = buf[p]!;
            if (b < 0x80) {
              p++;
              ptr = addDelta(dataPtr, (b >>> 1) ^ -(b & 1));
            } else {
              p = readSvar(buf, p);
              ptr = addDelta(dataPtr, varint.value);
            }
            address = ptr * 8;
          } else {
            address = cachedAddress(cache, head, slot);
          }
          let allocator = t & 7;
          if (allocator === 0) allocator = buf[p++]!;
          const kind = ALLOCATOR_KIND[allocator]!;
          let nid = nativeId;
          let size = 0;
          if (kind !== AllocatorKind.FREE) {
            if (native) {
              const b = buf[p]!;
              if (b < 0x80) {
                p++;
                nid = addDelta(nativeId, (b >>> 1) ^ -(b & 1));
              } else {
                p = readSvar(buf, p);
                nid = addDelta(nativeId, varint.value);
              }
            }
            const b = buf[p]!;
            if (b < 0x80) {
              p++;
              size = b;
            } else {
              p = readUvar(buf, p);
              size = varint.value;
            }
          }
          if (p > end) {
            whole = false;
            break;
          }
          if (!isAllocatorId(allocator) || size !== size) {
            this.stopAt(pos, !isAllocatorId(allocator) ? `invalid allocator id ${allocator}` : "a varint longer than 64 bits");
            return;
          }
          if (!this.sawContextSwitch) this.fail("ALLOCATION before any CONTEXT_SWITCH", pos);
          dataPtr = ptr;
          nativeId = nid;
          if (slot === CACHE_MISS) head = cacheMiss(cache, head, address);
          pos = p;
          // Deallocators carry no stack, native id or generation (§3.5).
          if (kind === AllocatorKind.FREE || kind === AllocatorKind.MUNMAP) {
            onAllocation(this.curTid, address, size, allocator, 0, 0, 0);
          } else {
            onAllocation(this.curTid, address, size, allocator, depth > 0 ? nodes[depth - 1]! : 0, native ? nid : 0, this.generation);
          }
          seq++;
          continue;
        }
        if (t & 0x40) {
          // FRAME_PUSH 0b01uuuuue
          let codeId: number;
          let offset: number;
          let b = buf[p]!;
          if (b < 0x80) {
            p++;
            codeId = b;
          } else {
            p = readUvar(buf, p);
            codeId = varint.value;
          }
          b = buf[p]!;
          if (b < 0x80) {
            p++;
            offset = (b >>> 1) ^ -(b & 1);
          } else {
            p = readSvar(buf, p);
            offset = varint.value;
          }
          if (p > end) {
            whole = false;
            break;
          }
          if (!this.sawContextSwitch) this.fail("FRAME_PUSH before any CONTEXT_SWITCH", pos);
          if (depth >= MAX_STACK_DEPTH) throw TOO_DEEP;
          const node = this.childFor(depth > 0 ? nodes[depth - 1]! : 0, codeId, offset, t & 1);
          if (depth === nodes.length) nodes = this.growStack();
          nodes[depth++] = node;
          stack.depth = depth;
          pos = p;
          continue;
        }
        if (t & 0x20) {
          // OBJECT_RECORD 0b001ppppc
          const created = (t & 1) === 1;
          const slot = (t >> 1) & 15;
          let ptr = dataPtr;
          let address: number;
          if (slot === CACHE_MISS) {
            p = readSvar(buf, p);
            ptr = addDelta(dataPtr, varint.value);
            address = ptr * 8;
          } else {
            address = cachedAddress(cache, head, slot);
          }
          let nid = nativeId;
          if (native && created) {
            p = readSvar(buf, p);
            nid = addDelta(nativeId, varint.value);
          }
          if (p > end) {
            whole = false;
            break;
          }
          dataPtr = ptr;
          nativeId = nid;
          if (slot === CACHE_MISS) head = cacheMiss(cache, head, address);
          pos = p;
          const stack = this.cur;
          this.visitor.objectRecord?.(
            this.curTid,
            address,
            created,
            created && stack.depth > 0 ? stack.nodes[stack.depth - 1]! : 0,
            created && native ? nid : 0,
          );
          continue;
        }
        if (t & 0x10) {
          // FRAME_POP 0b0001nnnn
          if (!this.sawContextSwitch) this.fail("FRAME_POP before any CONTEXT_SWITCH", pos);
          // Popping past the bottom is undefined in memray; clamp at empty.
          depth = Math.max(0, depth - ((t & 15) + 1));
          stack.depth = depth;
          pos = p;
          continue;
        }
        const rare = RARE_V12[t]!;
        if (rare !== NOT_RARE) {
          // The rare records work on the registers themselves.
          this.nativeId = nativeId;
          this.nAllocationRecords = seq;
          pos = this.rareRecordAt(rare, p, pos);
          nativeId = this.nativeId;
          stack = this.cur;
          nodes = stack.nodes;
          depth = stack.depth;
          continue;
        }
        if (t === 0x01) {
          // TRAILER
          this.start = pos + 1;
          this.done = true;
          this.complete = true;
          return;
        }
        this.stopAt(pos, t === 0 ? "a zero byte where a record should start" : `invalid record type 0x${hex(t)}`);
        return;
      }
    } catch (e) {
      if (e === OVERLONG_VARINT) this.fail("a varint longer than 64 bits (still continued after 10 bytes)", varint.overlongAt);
      if (e === TOO_DEEP) return this.stopAt(pos, `a Python stack deeper than ${MAX_STACK_DEPTH} frames`);
      if (e !== NEED_MORE) throw e;
      whole = false;
    } finally {
      this.nRecords += whole ? records : records - 1;
      this.nAllocationRecords = seq;
      this.dataPtr = dataPtr;
      this.nativeId = nativeId;
      this.cacheHead = head;
      if (!this.done) this.start = pos;
    }
  }

  /**
   * One ALLOCATION to the visitor, for both token formats: deallocators carry no stack, native
   * id or generation (§3.5), the rest the top of the thread's stack and the map generation.
   */
  private emitAllocation(
    onAllocation: NonNullable<CaptureVisitor["allocation"]>,
    address: number,
    size: number,
    allocator: number,
    nativeId: number,
  ): void {
    const kind = ALLOCATOR_KIND[allocator]!;
    if (kind === AllocatorKind.FREE || kind === AllocatorKind.MUNMAP) {
      onAllocation(this.curTid, address, size, allocator, 0, 0, 0);
    } else {
      const stack = this.cur;
      onAllocation(this.curTid, address, size, allocator, stack.depth > 0 ? stack.nodes[stack.depth - 1]! : 0, nativeId, this.generation);
    }
  }

  private stopAt(pos: number, what: string): void {
    this.start = pos;
    this.stop(what);
  }

  // ---------------------------------------------------------------- header 11 (§3.2)

  private decodeV11(): void {
    const buf = this.buf;
    const end = this.end;
    const tables = this.tables;
    const onAllocation = this.visitor.allocation ?? noop;
    let pos = this.start;
    let dataPtr = this.dataPtr;
    let nativeId = this.nativeId;
    let records = 0;
    let whole = true; // false when the loop stopped inside a record
    try {
      while (pos < end) {
        records++;
        const t = buf[pos]!;
        const type = t & 15;
        const flags = t >> 4;
        let p = pos + 1;
        switch (type) {
          case 1:
          case 2: {
            // ALLOCATION, ALLOCATION_WITH_NATIVE
            const allocator = V11_ALLOCATORS[flags] ?? 0;
            p = readSvar(buf, p);
            const ptr = addDelta(dataPtr, varint.value);
            const kind = ALLOCATOR_KIND[allocator]!;
            let size = 0;
            let nid = nativeId;
            if (type === 2 || kind !== AllocatorKind.FREE) {
              p = readUvar(buf, p);
              size = varint.value;
            }
            if (type === 2) {
              p = readSvar(buf, p);
              nid = addDelta(nativeId, varint.value);
            }
            if (p > end) break;
            if (!isAllocatorId(allocator) || size !== size) {
              this.stopAt(pos, !isAllocatorId(allocator) ? `invalid allocator id ${allocator}` : "a varint longer than 64 bits");
              return;
            }
            dataPtr = ptr;
            nativeId = nid;
            pos = p;
            this.emitAllocation(onAllocation, ptr, size, allocator, type === 2 ? nid : 0);
            this.nAllocationRecords++;
            continue;
          }
          case 3: {
            // FRAME_INDEX
            p = readSvar(buf, p);
            const frameId = addDelta(this.frameIdReg, varint.value);
            const fn = this.str(p);
            const filename = this.str(strEnd);
            p = readSvar(buf, strEnd);
            const lineno = addDelta(this.linenoReg, varint.value);
            if (p > end) break;
            this.frameIdReg = frameId;
            this.linenoReg = lineno;
            const frame: Frame = { function: fn, filename, lineno, isEntry: (flags & 1) === 0 };
            tables.addV11Frame(frameId, frame);
            pos = p;
            continue;
          }
          case 4: {
            p = readSvar(buf, p);
            if (p > end) break;
            this.frameIdReg = addDelta(this.frameIdReg, varint.value);
            this.pushFrame(this.frameIdReg);
            pos = p;
            continue;
          }
          case 9:
            this.popFrames(flags + 1);
            pos = p;
            continue;
          case 0:
            if (flags === 1) {
              this.start = pos + 1;
              this.done = true;
              this.complete = true;
              return;
            }
          // falls through: any other OTHER subtype is an error
          default: {
            const rare = RARE_V11[type]!;
            if (rare !== NOT_RARE) {
              this.nativeId = nativeId; // the rare records work on the registers themselves
              pos = this.rareRecordAt(rare, p, pos);
              nativeId = this.nativeId;
              continue;
            }
            this.stopAt(pos, t === 0 ? "a zero byte where a record should start" : `invalid record type 0x${hex(t)}`);
            return;
          }
        }
        whole = false; // the record needs more bytes
        break;
      }
    } catch (e) {
      if (e === OVERLONG_VARINT) this.fail("a varint longer than 64 bits (still continued after 10 bytes)", varint.overlongAt);
      if (e === TOO_DEEP) return this.stopAt(pos, `a Python stack deeper than ${MAX_STACK_DEPTH} frames`);
      if (e !== NEED_MORE) throw e;
      whole = false;
    } finally {
      this.nRecords += whole ? records : records - 1;
      this.dataPtr = dataPtr;
      this.nativeId = nativeId;
      if (!this.done) this.start = pos;
    }
  }

  // ---------------------------------------------------------------- aggregated files (§4)

  private decodeAggregated(): void {
    const buf = this.buf;
    const end = this.end;
    const tables = this.tables;
    const v11 = this.header!.version === 11;
    const native = this.header!.nativeTraces;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let pos = this.start;
    let records = 0;
    let whole = true; // false when the loop stopped inside a record
    try {
      while (pos < end) {
        records++;
        const t = buf[pos]!;
        let p = pos + 1;
        switch (t) {
          case 1: {
            if (p + 24 > end) throw NEED_MORE;
            this.nMemoryRecords++;
            this.visitor.memorySnapshot?.(u64(dv, p), u64(dv, p + 8), u64(dv, p + 16));
            pos = p + 24;
            continue;
          }
          case 4: {
            if (v11) {
              if (p + 8 > end) throw NEED_MORE;
              const frameId = u64(dv, p);
              const fn = this.str(p + 8);
              const filename = this.str(strEnd);
              p = strEnd;
              if (p + 5 > end) throw NEED_MORE;
              tables.addV11Frame(frameId, { function: fn, filename, lineno: dv.getInt32(p, true), isEntry: buf[p + 4] !== 0 });
              pos = p + 5;
            } else {
              p = readUvar(buf, p);
              const frameId = varint.value;
              p = readUvar(buf, p);
              const codeId = varint.value;
              p = readSvar(buf, p);
              const offset = varint.value;
              if (p + 1 > end) throw NEED_MORE;
              if (frameId > tables.framesDefined) {
                this.fail(`PYTHON_FRAME_INDEX with frame id ${frameId}, expected ${tables.framesDefined} (ids go 0, 1, 2 … in order)`, pos);
              }
              tables.setFrame(frameId, codeId, offset, buf[p] !== 0);
              pos = p + 1;
            }
            continue;
          }
          case 3: {
            let frameId: number;
            let parent: number;
            if (v11) {
              if (p + 12 > end) throw NEED_MORE;
              frameId = u64(dv, p);
              parent = dv.getUint32(p + 8, true);
              p += 12;
            } else {
              p = readUvar(buf, p);
              frameId = varint.value;
              p = readUvar(buf, p);
              parent = varint.value;
              if (p > end) throw NEED_MORE;
            }
            // Nodes are listed in index order, each after its parent: anything else is a cycle.
            if (parent >= tables.stackCount) {
              this.fail(`PYTHON_TRACE_INDEX with parent ${parent}, but only nodes 0 to ${tables.stackCount - 1} exist yet (a cycle or a forward reference)`, pos);
            }
            if (this.traceDepth[parent]! >= MAX_STACK_DEPTH) {
              this.fail(`PYTHON_TRACE_INDEX deeper than ${MAX_STACK_DEPTH} frames`, pos);
            }
            const nodes = tables.stackCount;
            const node = tables.stackChildOf(parent, frameId);
            if (node >= nodes) {
              if (node >= this.traceDepth.length) {
                const grown = new Int32Array(this.traceDepth.length * 2);
                grown.set(this.traceDepth);
                this.traceDepth = grown;
              }
              this.traceDepth[node] = this.traceDepth[parent]! + 1;
            }
            pos = p;
            continue;
          }
          case 13: {
            p = readUvar(buf, p);
            const address = varint.value * 8;
            let nid = 0;
            if (native) {
              p = readUvar(buf, p);
              nid = varint.value;
            }
            if (p > end) throw NEED_MORE;
            this.visitor.objectRecord?.(0, address, true, 0, nid);
            pos = p;
            continue;
          }
          case 2: {
            if (p + 72 > end) throw NEED_MORE;
            const allocator = buf[p + 8]!;
            if (!isAllocatorId(allocator)) {
              this.stopAt(pos, `invalid allocator id ${allocator}`);
              return;
            }
            this.nAllocationRecords++;
            this.visitor.aggregatedAllocation?.({
              tid: u64(dv, p),
              allocator: v11 ? V11_ALLOCATORS[allocator]! : allocator,
              nativeId: u64(dv, p + 16),
              stackId: u64(dv, p + 24),
              generation: u64(dv, p + 32),
              nAllocationsInHighWaterMark: u64(dv, p + 40),
              nAllocationsLeaked: u64(dv, p + 48),
              bytesInHighWaterMark: u64(dv, p + 56),
              bytesLeaked: u64(dv, p + 64),
            });
            pos = p + 72;
            continue;
          }
          case 15:
            this.start = pos + 1;
            this.done = true;
            this.complete = true;
            return;
          default: {
            const rare = RARE_AGGREGATED[t]!;
            if (rare !== NOT_RARE) {
              pos = this.rareRecordAt(rare, p, pos);
              continue;
            }
            this.stopAt(pos, t === 0 ? "a zero byte where a record should start" : `invalid aggregated record type 0x${hex(t)}`);
            return;
          }
        }
      }
    } catch (e) {
      if (e === OVERLONG_VARINT) this.fail("a varint longer than 64 bits (still continued after 10 bytes)", varint.overlongAt);
      if (e !== NEED_MORE) throw e;
      whole = false;
    } finally {
      this.nRecords += whole ? records : records - 1;
      if (!this.done) this.start = pos;
    }
  }
}

/** Where the last `str()` ended; module state so that the hot path allocates nothing. */
let strEnd = 0;

function u64(dv: DataView, p: number): number {
  return dv.getUint32(p, true) + dv.getUint32(p + 4, true) * 2 ** 32;
}

function i64(dv: DataView, p: number): number {
  return dv.getUint32(p, true) + dv.getInt32(p + 4, true) * 2 ** 32;
}

function u64at(buf: Uint8Array, p: number): number {
  const lo = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
  const hi = (buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24)) >>> 0;
  return lo + hi * 2 ** 32;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, hex).join(" ");
}
