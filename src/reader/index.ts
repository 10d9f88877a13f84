/**
 * Reading a memray capture: sniff the container (raw or LZ4 frame) from its first bytes,
 * decompress if needed, strip a raw file's zero padding, and decode records to a visitor.
 *
 *   const { header, tables, summary } = readCaptureFile("run.bin", visitor);
 *
 * Memory stays bounded by the live tables (frames, stacks, native nodes), never the file size.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CaptureDecoder } from "./decoder.ts";
import { CaptureError } from "./errors.ts";
import { Lz4FrameDecoder } from "./lz4.ts";
import { readInWorker, type WorkerStage } from "./parallel.ts";
import { CAPTURE_MAGIC, type CaptureHeader, type CaptureVisitor, type ReadSummary } from "./records.ts";
import type { CaptureTables } from "./tables.ts";

export { CaptureError } from "./errors.ts";
export { SUPPORTED_VERSIONS } from "./decoder.ts";
export * from "./records.ts";
export type { CaptureTables, NativeFrame } from "./tables.ts";
export type { StageContext, StageModule, WorkerStage } from "./parallel.ts";
export { STAGE_TAG } from "./ring.ts";

export interface ReadOptions {
  /**
   * Bytes read from the file at a time. Default 256 KiB (1 MiB read no faster, measured on
   * json_churn and generated_pyalloc_x16). Tests use tiny chunks.
   */
  chunkBytes?: number;
  /**
   * Read, decompress and decode files of at least this many bytes in a worker thread, on
   * another core, leaving this thread to the visitor. Default 4 MiB; `Infinity` keeps
   * everything on this thread.
   */
  parallelFromBytes?: number;
  /**
   * Work to run on the decoding thread when the file is read there: its records then reach
   * this thread already turned into the stage's own (see WorkerStage). Ignored when the file is
   * read on this thread, where `visitor` gets every record.
   */
  workerStage?: WorkerStage;
}

export interface CaptureRead {
  header: CaptureHeader;
  tables: CaptureTables;
  summary: ReadSummary;
}

const LZ4_MAGIC = [0x04, 0x22, 0x4d, 0x18];

/**
 * A push-based capture reader: feed it the file's bytes in order, in chunks of any size,
 * then call `end()`. `done` turns true once the rest of the file is not needed.
 */
export class CaptureReader {
  private decoder: CaptureDecoder;
  private readonly visitor: CaptureVisitor;
  private sniffed: Uint8Array | null = new Uint8Array(0);
  private lz4: Lz4FrameDecoder | null = null;
  private compressed = false;
  private heldZeros = 0;

  constructor(visitor: CaptureVisitor) {
    this.visitor = visitor;
    this.decoder = new CaptureDecoder(visitor, "file");
  }

  get done(): boolean {
    return this.decoder.done;
  }

  push(chunk: Uint8Array): void {
    if (this.sniffed !== null) {
      // Gather the first 4 bytes before deciding what the file is.
      const joined = new Uint8Array(this.sniffed.length + chunk.length);
      joined.set(this.sniffed);
      joined.set(chunk, this.sniffed.length);
      if (joined.length < 4) {
        this.sniffed = joined;
        return;
      }
      this.sniffed = null;
      this.choose(joined);
      chunk = joined;
    }
    if (this.lz4 !== null) {
      if (!this.decoder.done) this.lz4.push(chunk);
    } else {
      this.pushRaw(chunk);
    }
  }

  end(): CaptureRead {
    if (this.sniffed !== null) {
      if (this.sniffed.length === 0) throw new CaptureError("empty file: expected a memray capture", 0);
      this.choose(this.sniffed);
    }
    if (this.lz4 !== null && !this.decoder.done) {
      try {
        this.lz4.end();
      } catch (e) {
        // A cut LZ4 file: keep what decompressed, like a killed raw capture.
        if (!(e instanceof CaptureError) || this.decoder.header === null) throw e;
        this.decoder.finish();
        this.decoder.warning = `${e.message}; records before it were kept`;
      }
    }
    // A raw file's trailing zeros are padding and are dropped, as memray does; but a header's
    // own string terminators may be among them when nothing follows it, so give it those.
    while (this.decoder.header === null && this.heldZeros > 0) {
      this.heldZeros--;
      this.decoder.push(ZEROS.subarray(0, 1));
    }
    this.decoder.finish();
    const header = this.decoder.header!;
    this.decoder.tables.finishReading();
    return {
      header,
      tables: this.decoder.tables,
      summary: {
        complete: this.decoder.complete,
        warning: this.decoder.warning,
        endOffset: this.decoder.offset,
        nAllocationRecords: this.decoder.nAllocationRecords,
        nMemoryRecords: this.decoder.nMemoryRecords,
        nRecords: this.decoder.nRecords,
        compressed: this.compressed,
      },
    };
  }

  private choose(first: Uint8Array): void {
    if (startsWith(first, LZ4_MAGIC)) {
      this.compressed = true;
      const decoder = new CaptureDecoder(this.visitor, "decompressed");
      this.decoder = decoder;
      this.lz4 = new Lz4FrameDecoder((bytes) => decoder.push(bytes));
      return;
    }
    if (!startsWith(first, CAPTURE_MAGIC.slice(0, Math.min(first.length, CAPTURE_MAGIC.length)))) {
      const found = Array.from(first.subarray(0, 7), (b) => b.toString(16).padStart(2, "0")).join(" ");
      throw new CaptureError(
        `does not look like a memray capture: expected "memray\\0" (raw) or 04 22 4d 18 (LZ4), found ${found}`,
        0,
      );
    }
  }

  /** Raw files: hold back runs of zeros until a non-zero byte shows they are data. */
  private pushRaw(chunk: Uint8Array): void {
    let last = chunk.length - 1;
    while (last >= 0 && chunk[last] === 0) last--;
    if (last < 0) {
      this.heldZeros += chunk.length;
      return;
    }
    while (this.heldZeros > 0) {
      const n = Math.min(this.heldZeros, ZEROS.length);
      this.decoder.push(ZEROS.subarray(0, n));
      this.heldZeros -= n;
    }
    this.decoder.push(last === chunk.length - 1 ? chunk : chunk.subarray(0, last + 1));
    this.heldZeros = chunk.length - 1 - last;
  }
}

const ZEROS = new Uint8Array(64 * 1024);

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Read a capture held in memory, fed in chunks of `chunkBytes` (tests use 1, 7, 4096). */
export function readCaptureBytes(bytes: Uint8Array, visitor: CaptureVisitor = {}, options: ReadOptions = {}): CaptureRead {
  const reader = new CaptureReader(visitor);
  const step = options.chunkBytes ?? bytes.length;
  for (let i = 0; i < bytes.length && !reader.done; i += Math.max(1, step)) {
    reader.push(bytes.subarray(i, Math.min(bytes.length, i + Math.max(1, step))));
  }
  return reader.end();
}

/** Read a capture file from disk, streaming: files beyond 2 GiB work. */
export function readCaptureFile(path: string, visitor: CaptureVisitor = {}, options: ReadOptions = {}): CaptureRead {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size >= (options.parallelFromBytes ?? 4 << 20)) return readInWorker(path, visitor, options.workerStage);
    const chunk = new Uint8Array(Math.min(options.chunkBytes ?? 256 << 10, Math.max(size, 1)));
    const reader = new CaptureReader(visitor);
    let position = 0;
    while (!reader.done) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      reader.push(chunk.subarray(0, n));
    }
    return reader.end();
  } catch (e) {
    if (e instanceof CaptureError) e.message = `${path}: ${e.message}`;
    throw e;
  } finally {
    closeSync(fd);
  }
}
