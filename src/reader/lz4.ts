/**
 * A push-based LZ4 frame decoder (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md).
 *
 * memray compresses a whole capture as one LZ4 frame with linked 64 KiB blocks, so a decoder
 * must keep 64 KiB of history. Input arrives in chunks of any size; output is handed to
 * `onOutput` as views into an internal window that stay valid only until the callback returns.
 * Memory is bounded by the window (history + a few blocks), never by the file size.
 * Checksums are skipped: memray does not write them, and the record decoder validates content.
 */
import { CaptureError } from "./errors.ts";

const FRAME_MAGIC = 0x184d2204;
const HISTORY_BYTES = 64 * 1024;
/**
 * How much output to gather before handing it on: fewer, larger hand-offs are faster, up to a
 * point (the record decoder takes 128 KiB at a time; 256 KiB read json_churn as fast as 1 MiB).
 */
const FLUSH_BYTES = 256 << 10;
const BLOCK_MAX_BYTES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

type State = "magic" | "descriptor" | "descriptorRest" | "blockSize" | "block" | "checksum" | "skipSize" | "skip";

export class Lz4FrameDecoder {
  private readonly onOutput: (bytes: Uint8Array) => void;
  // Input not yet consumed: `pending[0..pendingLen)`, starting at file offset `pendingOffset`.
  private pending = new Uint8Array(0);
  private pendingLen = 0;
  private pendingOffset = 0;
  private state: State = "magic";
  private need = 4;
  private blockChecksum = false;
  private contentChecksum = false;
  private blockMax = 0;
  private blockSize = 0;
  private blockRaw = false;
  // Output window: history, then freshly decoded bytes `[flushed, fill)`.
  private out = new Uint8Array(0);
  private fill = 0;
  private flushed = 0;
  private framesDone = 0;

  constructor(onOutput: (bytes: Uint8Array) => void) {
    this.onOutput = onOutput;
  }

  /** True when the input seen so far ends exactly after a complete frame. */
  get atFrameBoundary(): boolean {
    return this.state === "magic" && this.pendingLen === 0 && this.framesDone > 0;
  }

  /** The file offset up to which input has been decoded. */
  get consumedOffset(): number {
    return this.pendingOffset;
  }

  push(chunk: Uint8Array): void {
    const src = chunk;
    let pos = 0;
    // Fast path: nothing buffered, so whole units can be decoded straight from `chunk`.
    while (true) {
      if (this.pendingLen > 0 || src.length - pos < this.need) {
        const take = Math.min(src.length - pos, this.need - this.pendingLen);
        this.appendPending(src, pos, take);
        pos += take;
        if (this.pendingLen < this.need) break;
        const unit = this.pending.subarray(0, this.need);
        const used = this.need;
        this.pendingLen = 0;
        this.step(unit, 0);
        this.pendingOffset += used;
        if (pos >= src.length && this.pendingLen === 0) break;
        continue;
      }
      const used = this.need;
      this.step(src, pos);
      pos += used;
      this.pendingOffset += used;
      if (pos >= src.length) break;
    }
    this.flush(false);
  }

  /** Call once after the last chunk: hands on what is left and checks the frame ended. */
  end(): void {
    if (this.state === "block" && this.pendingLen > 0) this.partialBlock();
    this.flush(true);
    if (this.state !== "magic" || this.pendingLen !== 0 || this.framesDone === 0) {
      throw new CaptureError(
        `LZ4 frame ends early: expected ${this.state === "magic" ? "a frame" : `${this.need} more bytes of ${this.state}`}`,
        this.pendingOffset + this.pendingLen,
      );
    }
  }

  private appendPending(src: Uint8Array, pos: number, n: number): void {
    if (this.pendingLen + n > this.pending.length) {
      const grown = new Uint8Array(Math.max(this.pendingLen + n, this.pending.length * 2, 1024));
      grown.set(this.pending.subarray(0, this.pendingLen));
      this.pending = grown;
    }
    this.pending.set(src.subarray(pos, pos + n), this.pendingLen);
    this.pendingLen += n;
  }

  /** Consume exactly `this.need` bytes at `buf[pos]` and set up the next unit. */
  private step(buf: Uint8Array, pos: number): void {
    const offset = this.pendingOffset;
    switch (this.state) {
      case "magic": {
        const magic = readU32(buf, pos);
        if (magic === FRAME_MAGIC) {
          this.state = "descriptor";
          this.need = 2; // FLG, BD
        } else if ((magic & 0xfffffff0) === 0x184d2a50) {
          this.state = "skipSize";
          this.need = 4;
        } else {
          throw new CaptureError(`not an LZ4 frame: expected magic 04 22 4D 18, found ${hex32(magic)}`, offset);
        }
        return;
      }
      case "descriptor": {
        const flg = buf[pos]!;
        if (flg >> 6 !== 1) throw new CaptureError(`unsupported LZ4 frame version ${flg >> 6}`, offset);
        const bd = buf[pos + 1]!;
        const blockMax = BLOCK_MAX_BYTES[(bd >> 4) & 7] ?? 0;
        if (blockMax === 0) throw new CaptureError(`invalid LZ4 block maximum size code ${(bd >> 4) & 7}`, offset + 1);
        this.blockChecksum = (flg & 0x10) !== 0;
        this.contentChecksum = (flg & 0x04) !== 0;
        this.blockMax = blockMax;
        this.ensureWindow(blockMax);
        // Optional content size (8) and dictionary id (4), then the header checksum (1): skipped.
        this.state = "descriptorRest";
        this.need = (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
        return;
      }
      case "descriptorRest":
        this.state = "blockSize";
        this.need = 4;
        return;
      case "blockSize": {
        const word = readU32(buf, pos);
        if (word === 0) {
          this.framesDone++;
          if (this.contentChecksum) {
            this.state = "checksum";
            this.need = 4;
          } else {
            this.state = "magic";
            this.need = 4;
          }
          return;
        }
        this.blockRaw = (word & 0x80000000) !== 0;
        this.blockSize = word & 0x7fffffff;
        if (this.blockSize > this.blockMax) {
          throw new CaptureError(`LZ4 block of ${this.blockSize} bytes exceeds the frame's maximum ${this.blockMax}`, offset);
        }
        this.state = "block";
        this.need = this.blockSize + (this.blockChecksum ? 4 : 0);
        return;
      }
      case "block": {
        this.makeRoom();
        if (this.blockRaw) {
          this.out.set(buf.subarray(pos, pos + this.blockSize), this.fill);
          this.fill += this.blockSize;
        } else {
          const end = decodeBlock(buf, pos, pos + this.blockSize, this.out, this.fill);
          if (end < 0) throw new CaptureError("corrupt LZ4 block", offset + 4 + ~end - pos);
          this.fill = end;
        }
        this.state = "blockSize";
        this.need = 4;
        if (this.fill - this.flushed >= FLUSH_BYTES) this.flush(false);
        return;
      }
      case "checksum":
        this.state = "magic";
        this.need = 4;
        return;
      case "skipSize":
        // Skippable frame: a length, then that many bytes we ignore.
        this.state = "skip";
        this.need = readU32(buf, pos);
        if (this.need > 0) return;
      // falls through: an empty skippable frame
      case "skip":
        this.framesDone++;
        this.state = "magic";
        this.need = 4;
        return;
    }
  }

  /**
   * A file cut inside a block (a killed process's only block, often): hand on what the block's
   * complete sequences decode to, so the records before the cut are kept, as for a raw capture.
   */
  private partialBlock(): void {
    this.makeRoom();
    const n = Math.min(this.pendingLen, this.blockSize);
    if (this.blockRaw) {
      this.out.set(this.pending.subarray(0, n), this.fill);
      this.fill += n;
    } else {
      const end = decodeBlock(this.pending, 0, n, this.out, this.fill);
      this.fill = end >= 0 ? end : lastSequenceEnd;
    }
  }

  private ensureWindow(blockMax: number): void {
    // History and one block always fit after makeRoom; blocks gather up to FLUSH_BYTES.
    const size = HISTORY_BYTES + Math.max(FLUSH_BYTES, blockMax);
    if (this.out.length < size) {
      const grown = new Uint8Array(size);
      grown.set(this.out.subarray(0, this.fill));
      this.out = grown;
    }
  }

  /** Before decoding a block: keep only the 64 KiB history if the block might not fit. */
  private makeRoom(): void {
    if (this.fill + this.blockMax <= this.out.length) return;
    this.flush(false);
    const keep = Math.min(HISTORY_BYTES, this.fill);
    this.out.copyWithin(0, this.fill - keep, this.fill);
    this.fill = keep;
    this.flushed = keep;
  }

  private flush(_final: boolean): void {
    if (this.fill > this.flushed) {
      const view = this.out.subarray(this.flushed, this.fill);
      this.flushed = this.fill;
      this.onOutput(view);
    }
  }
}

function readU32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
}

function hex32(n: number): string {
  return [0, 8, 16, 24].map((s) => ((n >>> s) & 0xff).toString(16).padStart(2, "0").toUpperCase()).join(" ");
}

/** Where the output stood after the last complete sequence of the last decodeBlock call. */
let lastSequenceEnd = 0;

/**
 * Decode one LZ4 block `src[pos..end)` into `out` at `op`, with earlier output as history.
 * Returns the new end of output, or `~failingInputPosition` when the block is corrupt.
 */
export function decodeBlock(src: Uint8Array, pos: number, end: number, out: Uint8Array, op: number): number {
  const outLimit = out.length;
  lastSequenceEnd = op;
  while (pos < end) {
    lastSequenceEnd = op;
    const token = src[pos++]!;
    // Literals.
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (pos >= end) return ~pos;
        b = src[pos++]!;
        litLen += b;
      } while (b === 255);
    }
    if (pos + litLen > end || op + litLen > outLimit) return ~pos;
    if (litLen < 16) {
      for (let i = 0; i < litLen; i++) out[op + i] = src[pos + i]!;
    } else {
      out.set(src.subarray(pos, pos + litLen), op);
    }
    pos += litLen;
    op += litLen;
    if (pos >= end) break; // the last sequence has literals only
    // Match.
    if (pos + 2 > end) return ~pos;
    const offset = src[pos]! | (src[pos + 1]! << 8);
    pos += 2;
    if (offset === 0 || offset > op) return ~(pos - 2);
    let matchLen = token & 15;
    if (matchLen === 15) {
      let b: number;
      do {
        if (pos >= end) return ~pos;
        b = src[pos++]!;
        matchLen += b;
      } while (b === 255);
    }
    matchLen += 4;
    if (op + matchLen > outLimit) return ~pos;
    let from = op - offset;
    if (offset >= matchLen && matchLen > 32) {
      out.copyWithin(op, from, from + matchLen);
      op += matchLen;
    } else {
      // Overlapping copies repeat a short pattern: copy byte by byte, as the format intends.
      const stop = op + matchLen;
      while (op < stop) out[op++] = out[from++]!;
    }
  }
  return op;
}
