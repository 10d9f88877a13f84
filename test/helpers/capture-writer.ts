/**
 * A small memray capture writer (header 13, all-allocations stream, §2.2 and §3.3), for tests
 * that need captures no real program wrote: hostile strings, odd shapes, cut files.
 * `lz4()` wraps the raw bytes in an LZ4 frame of stored blocks, which exercises the LZ4 path.
 * Every test that uses it should read the capture back to check the writer too.
 */
import { HOSTILE } from "./hostile.ts";

export interface WriterHeader {
  commandLine?: string;
  pid?: number;
  mainTid?: number;
  skippedFramesOnMainTid?: number;
  nativeTraces?: boolean;
  startTimeMs?: number;
  endTimeMs?: number;
  pythonAllocator?: number;
}

const enc = new TextEncoder();

export class CaptureWriter {
  private readonly out: number[] = [];
  private dataPtr = 0;
  private firstLine = 0;
  private nAllocations = 0;
  private readonly header: Required<WriterHeader>;

  constructor(header: WriterHeader = {}) {
    this.header = {
      commandLine: "python test.py",
      pid: 4242,
      mainTid: 1,
      skippedFramesOnMainTid: 0,
      nativeTraces: false,
      startTimeMs: Date.UTC(2026, 10, 22, 12, 0, 0),
      endTimeMs: Date.UTC(2026, 10, 22, 12, 0, 1),
      pythonAllocator: 1,
      ...header,
    };
  }

  contextSwitch(tid: number): this {
    this.out.push(0x0c);
    this.u64(tid);
    return this;
  }

  threadName(name: string): this {
    this.out.push(0x0a);
    this.cstr(name);
    return this;
  }

  /** A code object whose every bytecode offset maps to `firstLine`. */
  codeObject(id: number, fn: string, filename: string, firstLine: number): this {
    this.out.push(0x0e);
    this.uvar(id);
    this.cstr(fn);
    this.cstr(filename);
    this.svar(firstLine - this.firstLine);
    this.firstLine = firstLine;
    // One 3.11 location entry, "line delta only" (code 13), covering 8 code units.
    this.uvar(2);
    this.out.push(0x80 | (13 << 3) | 7, 0x00);
    return this;
  }

  push(codeId: number, offset = 0, isEntry = true): this {
    this.out.push(0x40 | (isEntry ? 1 : 0));
    this.uvar(codeId);
    this.svar(offset);
    return this;
  }

  pop(n = 1): this {
    while (n > 0) {
      const k = Math.min(n, 16);
      this.out.push(0x10 | (k - 1));
      n -= k;
    }
    return this;
  }

  /** An ALLOCATION record; `allocator` in memray's current numbering (6 malloc, 5 free …). */
  allocation(address: number, sizeBytes: number, allocator = 6, nativeId = 0): this {
    const small = allocator <= 7;
    this.out.push(0x80 | (15 << 3) | (small ? allocator : 0));
    const ptr = Math.floor(address / 8);
    this.svar(ptr - this.dataPtr);
    this.dataPtr = ptr;
    if (!small) this.out.push(allocator);
    const isFree = allocator === 5 || allocator === 1;
    if (!isFree) {
      if (this.header.nativeTraces) this.svar(nativeId);
      this.uvar(sizeBytes);
    }
    this.nAllocations++;
    return this;
  }

  free(address: number): this {
    return this.allocation(address, 0, 5);
  }

  memory(rssBytes: number, msSinceStart: number): this {
    this.out.push(0x02);
    this.uvar(rssBytes);
    this.uvar(msSinceStart);
    return this;
  }

  trailer(): this {
    this.out.push(0x01);
    return this;
  }

  /** Bytes as they are: hostile or corrupt records the writer has no method for. */
  raw(bytes: readonly number[]): this {
    this.out.push(...bytes);
    return this;
  }

  /** An unsigned LEB128 varint (for use after `raw`). */
  varint(value: number): this {
    this.uvar(value);
    return this;
  }

  /** The file format byte of the header: 0 all allocations, 1 aggregated. */
  protected fileFormat = 0;

  /** The raw capture file. */
  bytes(): Uint8Array {
    const h: number[] = [];
    h.push(...enc.encode("memray\0"));
    pushI32(h, 13);
    pushI32(h, 0x030b02f0);
    h.push(this.header.nativeTraces ? 1 : 0, this.fileFormat);
    pushU64(h, this.nAllocations);
    pushU64(h, 0);
    pushU64(h, this.header.startTimeMs);
    pushU64(h, this.header.endTimeMs);
    h.push(...enc.encode(this.header.commandLine), 0);
    pushI32(h, this.header.pid);
    pushU64(h, this.header.mainTid);
    pushU64(h, this.header.skippedFramesOnMainTid);
    h.push(this.header.pythonAllocator, 0, 0);
    h.push(...enc.encode("/usr/lib/python3.11"), 0); // libdest
    h.push(...enc.encode("/venv/lib/python3.11/site-packages"), 0, 0); // site_packages
    h.push(...enc.encode("/work"), 0, 0); // sys_path
    return Uint8Array.from([...h, ...this.out]);
  }

  /** The same capture as an LZ4 frame of stored (uncompressed) 64 KiB blocks. */
  lz4(): Uint8Array {
    const raw = this.bytes();
    const out: number[] = [0x04, 0x22, 0x4d, 0x18, 0x40, 0x40, 0xc0];
    for (let i = 0; i < raw.length; i += 65536) {
      const block = raw.subarray(i, Math.min(raw.length, i + 65536));
      pushU32(out, (block.length | 0x80000000) >>> 0);
      out.push(...block);
    }
    pushU32(out, 0);
    return Uint8Array.from(out);
  }

  protected cstr(text: string): void {
    this.out.push(...enc.encode(text), 0);
  }

  protected uvar(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.out.push(v);
  }

  protected svar(value: number): void {
    this.uvar(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  protected u64(value: number): void {
    pushU64(this.out, value);
  }

  protected byte(value: number): void {
    this.out.push(value);
  }
}

/**
 * An aggregated (`memray run --aggregate`) capture, header 13 (§4): code objects, frames with
 * explicit ids, stack nodes by (frame, parent), then one 72-byte record per location.
 */
export class AggregatedCaptureWriter extends CaptureWriter {
  private codeFirstLine = 0;

  constructor(header: WriterHeader = {}) {
    super(header);
    this.fileFormat = 1;
  }

  override codeObject(id: number, fn: string, filename: string, firstLine: number): this {
    this.byte(14);
    this.uvar(id);
    this.cstr(fn);
    this.cstr(filename);
    this.svar(firstLine - this.codeFirstLine);
    this.codeFirstLine = firstLine;
    this.uvar(2);
    this.raw([0x80 | (13 << 3) | 7, 0x00]);
    return this;
  }

  /** PYTHON_FRAME_INDEX: frame `id` (0, 1, 2 … in order) is code object `codeId` at `offset`. */
  frame(id: number, codeId: number, offset = 0, isEntry = true): this {
    this.byte(4);
    this.uvar(id);
    this.uvar(codeId);
    this.svar(offset);
    this.byte(isEntry ? 1 : 0);
    return this;
  }

  /** PYTHON_TRACE_INDEX: the next stack node is `frameId` called from node `parent` (0: none). */
  stack(frameId: number, parent: number): this {
    this.byte(3);
    this.uvar(frameId);
    this.uvar(parent);
    return this;
  }

  /** AGGREGATED_ALLOCATION: one location's share of the peak and of the leaks. */
  location(r: { tid?: number; allocator?: number; nativeId?: number; stackId: number; generation?: number; nPeak?: number; nLeaked?: number; bytesPeak?: number; bytesLeaked?: number }): this {
    this.byte(2);
    this.u64(r.tid ?? 1);
    this.raw([r.allocator ?? 6, 0, 0, 0, 0, 0, 0, 0]);
    for (const v of [r.nativeId ?? 0, r.stackId, r.generation ?? 0, r.nPeak ?? 1, r.nLeaked ?? 0, r.bytesPeak ?? 1024, r.bytesLeaked ?? 0]) this.u64(v);
    return this;
  }

  memorySnapshot(timeMs: number, rssBytes: number, heapBytes: number): this {
    this.byte(1);
    for (const v of [timeMs, rssBytes, heapBytes]) this.u64(v);
    return this;
  }

  override trailer(): this {
    this.byte(15);
    return this;
  }
}

/**
 * One 100 kB allocation of `main` in `program` between two memory samples; `killed` leaves the
 * TRAILER out, as a process killed mid-run does.
 */
export function smallCapture(options: { program?: string; killed?: boolean } = {}): Uint8Array {
  const program = options.program ?? "run.py";
  const w = new CaptureWriter({ commandLine: `python ${program}` });
  w.codeObject(1, "main", program, 1);
  w.memory(1_000_000, 0);
  w.contextSwitch(1).push(1);
  w.allocation(0x1000, 100_000);
  w.memory(1_200_000, 100);
  return (options.killed ? w : w.trailer()).bytes();
}

/** A small aggregated capture: two frames, a two-deep stack, one location at the peak. */
export function aggregatedCapture(): AggregatedCaptureWriter {
  const w = new AggregatedCaptureWriter();
  w.memorySnapshot(Date.UTC(2026, 10, 22, 12, 0, 0), 10_000_000, 4096);
  w.codeObject(1, "main", "run.py", 1).codeObject(2, "work", "run.py", 5);
  w.frame(0, 1).frame(1, 2);
  w.stack(0, 0).stack(1, 1);
  w.location({ stackId: 2, bytesPeak: 4096, nPeak: 2, bytesLeaked: 1024, nLeaked: 1 });
  return w;
}

function pushU32(out: number[], v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

function pushI32(out: number[], v: number): void {
  pushU32(out, v >>> 0);
}

function pushU64(out: number[], v: number): void {
  pushU32(out, v % 2 ** 32);
  pushU32(out, Math.floor(v / 2 ** 32));
}

export { HOSTILE };

/** A small capture whose every string is hostile: two threads, a peak, a leak. */
export function hostileCapture(): CaptureWriter {
  const w = new CaptureWriter({ commandLine: HOSTILE.commandLine });
  w.memory(10_000_000, 0);
  w.codeObject(1, HOSTILE.function, HOSTILE.filename, 7);
  w.codeObject(2, "main", "run.py", 1);
  w.contextSwitch(1).push(2).push(1);
  w.allocation(0x10000, 4096).allocation(0x20000, 8192);
  w.memory(12_000_000, 10);
  w.contextSwitch(2).threadName(HOSTILE.thread).push(1);
  w.allocation(0x30000, 100_000);
  w.contextSwitch(1).free(0x10000);
  w.memory(11_000_000, 20);
  return w.trailer();
}
