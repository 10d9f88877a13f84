import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CaptureError, readCaptureBytes } from "../../src/reader/index.ts";
import { CaptureWriter, hostileCapture, HOSTILE } from "../helpers/capture-writer.ts";
import { memrayFixtures } from "../helpers/fixtures.ts";

function expectCaptureError(bytes: Uint8Array, message: RegExp, offset?: number): void {
  try {
    readCaptureBytes(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    expect((e as Error).message).toMatch(message);
    if (offset !== undefined) expect((e as CaptureError).offset).toBe(offset);
    return;
  }
  throw new Error("expected a CaptureError");
}

describe("the test writer", () => {
  it("writes captures the reader reads back, raw and LZ4", () => {
    for (const bytes of [hostileCapture().bytes(), hostileCapture().lz4()]) {
      const allocations: number[][] = [];
      const read = readCaptureBytes(bytes, { allocation: (...args) => void allocations.push(args) });
      expect(read.summary.complete).toBe(true);
      expect(read.header.commandLine).toBe(HOSTILE.commandLine);
      expect(allocations.map((a) => [a[0], a[1], a[2]])).toEqual([[1, 0x10000, 4096], [1, 0x20000, 8192], [2, 0x30000, 100000], [1, 0x10000, 0]]);
      const stack = read.tables.pythonStack(allocations[0]![4]!, 1);
      expect(stack).toEqual([
        { function: HOSTILE.function, filename: HOSTILE.filename, lineno: 7, isEntry: true },
        { function: "main", filename: "run.py", lineno: 1, isEntry: true },
      ]);
      expect(read.tables.threadName(2)).toBe(HOSTILE.thread);
    }
  });
});

describe("bad input gives a clear error or a partial result", () => {
  const good = hostileCapture().bytes();

  it("empty file", () => expectCaptureError(new Uint8Array(0), /empty file/, 0));
  it("wrong magic", () => expectCaptureError(new TextEncoder().encode("PK\x03\x04 a zip"), /does not look like a memray capture.*found 50 4b 03 04/, 0));
  it("unknown header version", () => {
    for (const version of [10, 14, -1]) {
      const bytes = good.slice();
      new DataView(bytes.buffer).setInt32(7, version, true);
      expectCaptureError(bytes, new RegExp(`unsupported memray header version ${version}: heaptrail reads versions 11, 12, 13`), 7);
    }
  });
  it("cut inside the header", () => {
    for (const cut of [4, 8, 20, 60]) expectCaptureError(good.subarray(0, cut), /ends inside its header|empty/);
  });
  it("cut inside the records: everything before the cut, flagged", () => {
    const full = readCaptureBytes(good);
    let previous = -1;
    for (let cut = full.header.sizeBytes; cut < good.length; cut += 3) {
      const read = readCaptureBytes(good.subarray(0, cut));
      expect(read.summary.complete).toBe(false);
      expect(read.summary.warning).toMatch(/cut short|without a TRAILER/);
      expect(read.summary.endOffset).toBeLessThanOrEqual(cut);
      expect(read.summary.nAllocationRecords).toBeGreaterThanOrEqual(previous);
      previous = read.summary.nAllocationRecords;
    }
    expect(previous).toBe(4);
  });
  it("cut LZ4 file: the blocks that decompressed are kept", () => {
    const w = new CaptureWriter().contextSwitch(1);
    for (let i = 0; i < 30_000; i++) w.allocation(0x10000 + i * 64, 32);
    const lz4 = w.trailer().lz4(); // three 64 KiB blocks and a bit
    const read = readCaptureBytes(lz4.subarray(0, lz4.length - 30));
    expect(read.summary.complete).toBe(false);
    expect(read.summary.warning).toMatch(/LZ4 frame ends early/);
    expect(read.summary.nAllocationRecords).toBeGreaterThan(20_000);
    expect(read.summary.nAllocationRecords).toBeLessThan(30_000);
    // A file cut inside its only block keeps what the block holds up to the cut.
    const small = hostileCapture().lz4();
    const part = readCaptureBytes(small.subarray(0, small.length - 30));
    expect(part.summary.warning).toMatch(/LZ4 frame ends early.*at byte \d+/);
    expect(part.summary.nAllocationRecords).toBe(2); // the third allocation is among the 26 bytes cut
  });
  it("an LZ4 capture cut inside its only compressed block: the sequences before the cut decode", () => {
    const bytes = readFileSync(new URL("../data/detailed/v12_plain_lz4.bin", import.meta.url));
    const full = readCaptureBytes(bytes).summary.nAllocationRecords;
    const part = readCaptureBytes(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(part.summary.complete).toBe(false);
    expect(part.summary.warning).toMatch(/LZ4 frame ends early/);
    expect(part.summary.nAllocationRecords).toBeGreaterThan(0);
    expect(part.summary.nAllocationRecords).toBeLessThan(full);
  });
  it("a varint longer than 64 bits is a CaptureError at the varint", () => {
    const w = new CaptureWriter();
    w.contextSwitch(1).allocation(0x1000, 10);
    const bytes = w.bytes();
    const head = bytes.subarray(0, bytes.length - 1); // drop the size varint
    const corrupt = Uint8Array.from([...head, ...new Array(11).fill(0xff), 0x01, 0x01]);
    expectCaptureError(corrupt, /varint longer than 64 bits/, head.length);
  });
  it("an unknown record type stops reading, keeping what came before", () => {
    const w = new CaptureWriter().contextSwitch(1).allocation(0x1000, 10);
    const bytes = Uint8Array.from([...w.bytes(), 0x03, 0x01]);
    const read = readCaptureBytes(bytes);
    expect(read.summary.warning).toMatch(/invalid record type 0x03 at byte \d+/);
    expect(read.summary.nAllocationRecords).toBe(1);
  });
  it("an allocation before any CONTEXT_SWITCH is an error with its offset", () => {
    const w = new CaptureWriter().allocation(0x1000, 10);
    const headerSize = readCaptureBytes(new CaptureWriter().bytes()).header.sizeBytes;
    expectCaptureError(w.bytes(), /ALLOCATION before any CONTEXT_SWITCH/, headerSize);
  });
});

describe("mutated real captures never throw anything but a CaptureError, and never hang", () => {
  const picks = memrayFixtures().filter((f) => ["1.18.0/threads.nocompress", "1.20.0/complete.native", "1.19.3/leaks.aggregate"].includes(f.id));
  for (const fixture of picks) {
    it(fixture.id, () => {
      const original = readFileSync(fixture.capturePath);
      let seed = 1729;
      const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
      for (let i = 0; i < 150; i++) {
        const bytes = Uint8Array.from(original);
        for (let k = 0; k < 1 + (i % 4); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        try {
          readCaptureBytes(bytes, {}, { chunkBytes: 1 + Math.floor(random() * 5000) });
        } catch (e) {
          if (!(e instanceof CaptureError)) throw e;
        }
      }
    });
  }
});
