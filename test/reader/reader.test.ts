import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALLOCATOR_NAMES, isDeallocator, readCaptureBytes, readCaptureFile, STAGE_TAG, V11_ALLOCATORS, type CaptureVisitor } from "../../src/reader/index.ts";
import { PeakTracker } from "../../src/analysis/peak.ts";
import { detailedFixtures, memrayFixtures, parseFields, parseLines } from "../helpers/fixtures.ts";

/** Everything a capture yields, as plain data, for comparing runs and chunkings. */
function decodeAll(bytes: Uint8Array, chunkBytes?: number) {
  const allocations: number[][] = [];
  const memory: number[][] = [];
  const aggregated: unknown[] = [];
  const heap = new PeakTracker();
  const visitor: CaptureVisitor = {
    allocation(tid, address, size, allocator, stackId, nativeId, generation) {
      allocations.push([tid, address, size, allocator, stackId, nativeId, generation]);
      heap.allocation(address, size, allocator);
    },
    memoryRecord(timeMs, rss) {
      memory.push([timeMs, rss, heap.currentBytes]);
    },
    memorySnapshot(timeMs, rss, heapBytes) {
      memory.push([timeMs, rss, heapBytes]);
    },
    aggregatedAllocation(record) {
      aggregated.push(record);
    },
  };
  const read = readCaptureBytes(bytes, visitor, { chunkBytes });
  return { ...read, allocations, memory, aggregated };
}

describe("detailed fixtures: every record equals memray's FileReader", () => {
  for (const fixture of detailedFixtures()) {
    it(fixture.name, () => {
      const bytes = readFileSync(fixture.capturePath);
      const got = decodeAll(bytes);
      const meta = fixture.expected.metadata;
      expect(got.header.commandLine).toBe(meta.command_line);
      expect(got.header.pid).toBe(meta.pid);
      expect(got.header.mainTid).toBe(meta.main_thread_id);
      expect(got.header.nativeTraces).toBe(meta.has_native_traces);
      expect(got.header.tracePythonAllocators).toBe(meta.trace_python_allocators);
      expect(got.header.fileFormat).toBe(meta.file_format);
      expect(got.header.startTimeMs).toBe(meta.start_time_ms);
      expect(got.header.endTimeMs).toBe(meta.end_time_ms);
      expect(got.memory).toEqual(fixture.expected.memory_snapshots);
      if (meta.file_format === 1) return; // aggregated: checked against `memray parse` below
      expect(got.summary.nAllocationRecords).toBe(meta.total_allocations);
      const records = got.allocations.map(([tid, address, size, allocator, stackId, nativeId, generation], seq) => ({
        tid,
        address,
        size,
        allocator,
        stack_id: stackId,
        native_stack_id: nativeId,
        native_segment_generation: generation,
        thread_name: got.tables.threadName(tid!, seq) ?? "", // the name as of this record
        // memray captures no stack for deallocations
        stack: isDeallocator(allocator!) ? null : got.tables.pythonStack(stackId!, tid!).map((f) => [f.function, f.filename, f.lineno]),
      }));
      const toCurrent = (a: number) => (fixture.headerVersion === 11 ? V11_ALLOCATORS[a] : a);
      const expected = fixture.expected.allocation_records.map((r: any) => ({ ...r, allocator: toCurrent(r.allocator) }));
      expect(records).toEqual(expected);
    });
  }

  it("a killed process: everything before the cut, flagged as incomplete", () => {
    const killed = detailedFixtures().find((f) => f.name === "v13_killed_uncompressed")!;
    const got = decodeAll(readFileSync(killed.capturePath));
    expect(got.summary.complete).toBe(false);
    expect(got.summary.warning).toMatch(/without a TRAILER/);
    expect(got.header.nAllocations).toBe(0); // provisional header stats
    expect(got.summary.nAllocationRecords).toBe(10);
    expect(got.summary.endOffset).toBeGreaterThan(got.header.sizeBytes);
  });
});

/** The records `memray parse` prints, in the reader's terms. */
function fromParse(path: string) {
  const allocations: string[] = [];
  const memory: string[] = [];
  const aggregated: string[] = [];
  const num = (s: string) => (s === "(nil)" ? 0 : s.startsWith("0x") ? parseInt(s, 16) : Number(s));
  let hexMemory = false;
  for (const line of parseLines(path)) {
    const type = line.slice(0, line.indexOf(" ") >>> 0);
    const f = parseFields(line);
    if (type === "HEADER") hexMemory = f.version === "11";
    if (type === "ALLOCATION" || type === "ALLOCATION_WITH_NATIVE") {
      allocations.push([num(f.address!), num(f.size!), f.allocator!.toUpperCase(), num(f.native_frame_id ?? "0")].join(" "));
    } else if (type === "MEMORY_RECORD") {
      memory.push([num(f.time!), hexMemory ? parseInt(f.memory!, 16) : num(f.memory!)].join(" "));
    } else if (type === "MEMORY_SNAPSHOT") {
      memory.push([num(f.time!), num(f.rss!)].join(" "));
    } else if (type === "AGGREGATED_ALLOCATION") {
      aggregated.push(
        [f.tid, f.allocator!.toUpperCase(), f.native_frame_id, f.python_frame_id, f.native_segment_generation,
          f.n_allocations_in_high_water_mark, f.n_allocations_leaked, f.bytes_in_high_water_mark, f.bytes_leaked].join(" "),
      );
    }
  }
  return { allocations, memory, aggregated };
}

describe("every fixture capture: records equal `memray parse`", () => {
  for (const fixture of memrayFixtures()) {
    const parsePath = fixture.output("parse");
    if (parsePath === null) continue;
    it(fixture.id, () => {
      const got = decodeAll(readFileSync(fixture.capturePath));
      const want = fromParse(parsePath);
      expect(got.summary.complete).toBe(true);
      expect(got.header.version).toBe(fixture.headerVersion);
      // Every record is counted: parse lines = HEADER + records + each SEGMENT of a SEGMENT_HEADER.
      const segments = got.tables.mapGenerations.flat().reduce((n, image) => n + image.segments.length, 0);
      expect(1 + got.summary.nRecords + segments).toBe(parseLines(parsePath).length);
      expect(got.allocations.map(([, address, size, allocator, , nativeId]) =>
        [address, size, ALLOCATOR_NAMES[allocator!], nativeId].join(" "))).toEqual(want.allocations);
      expect(got.memory.map(([t, rss]) => `${t} ${rss}`)).toEqual(want.memory);
      expect(
        got.aggregated.map((r: any) =>
          [r.tid, ALLOCATOR_NAMES[r.allocator], r.nativeId, r.stackId, r.generation, r.nAllocationsInHighWaterMark,
            r.nAllocationsLeaked, r.bytesInHighWaterMark, r.bytesLeaked].join(" ")),
      ).toEqual(want.aggregated);
    });
  }
});

describe("chunk boundaries do not matter", () => {
  const picks = memrayFixtures().filter((f) =>
    ["1.18.0/threads.native", "1.19.3/complete.aggregate", "1.20.0/temporal.nocompress", "1.20.0/threads.pyalloc", "1.18.0/complete.default"].includes(f.id));
  const detailed = detailedFixtures().map((f) => ({ id: f.name, capturePath: f.capturePath }));
  for (const fixture of [...picks, ...detailed]) {
    it(fixture.id, () => {
      const bytes = readFileSync(fixture.capturePath);
      const whole = decodeAll(bytes);
      for (const chunkBytes of [1, 7, 4096]) {
        const chunked = decodeAll(bytes, chunkBytes);
        expect(chunked.allocations).toEqual(whole.allocations);
        expect(chunked.memory).toEqual(whole.memory);
        expect(chunked.aggregated).toEqual(whole.aggregated);
        expect(chunked.summary).toEqual(whole.summary);
        expect(chunked.tables.threadNames()).toEqual(whole.tables.threadNames());
      }
    });
  }
});

describe("the parallel LZ4 path (worker thread) reads exactly what the serial path reads", () => {
  const picks = memrayFixtures().filter((f) => ["1.20.0/leaks.pyalloc", "1.18.0/threads.native", "1.19.3/complete.default"].includes(f.id));
  for (const fixture of picks) {
    it(fixture.id, () => {
      const run = (parallelFromBytes: number) => {
        // A running digest: deep-comparing millions of records would dominate the test.
        const digest = new Float64Array(8);
        const read = readCaptureFile(fixture.capturePath, {
          allocation(...fields) {
            digest[7]!++;
            fields.forEach((v, i) => (digest[i] = (digest[i]! * 31 + v) % 2 ** 48));
          },
        }, { parallelFromBytes });
        return { digest: [...digest], summary: read.summary, names: read.tables.threadNames() };
      };
      const serial = run(Infinity);
      const parallel = run(0);
      expect(parallel.digest[7]).toBeGreaterThan(0);
      expect(parallel).toEqual(serial);
    });
  }

  it("a worker stage's records come in file order with the reader's, and its result at the end", () => {
    const fixture = memrayFixtures().find((f) => f.id === "1.19.3/complete.default")!;
    // Inline: each allocation's size and each memory sample, in the order read.
    const inline: string[] = [];
    readCaptureFile(fixture.capturePath, {
      allocation: (_tid, _address, size) => inline.push(`a${size}`),
      memoryRecord: (timeMs) => inline.push(`m${timeMs}`),
    }, { parallelFromBytes: Infinity });
    const staged: string[] = [];
    let result: unknown;
    readCaptureFile(fixture.capturePath, {
      allocation: () => staged.push("not staged"),
      memoryRecord: (timeMs) => staged.push(`m${timeMs}`),
    }, {
      parallelFromBytes: 0,
      workerStage: {
        module: new URL("../helpers/sum-stage.ts", import.meta.url),
        options: { scale: 2 },
        read(numbers, i, end) {
          for (; i < end && numbers[i]! >= STAGE_TAG; i += 2) staged.push(`a${numbers[i + 1]! / 2}`);
          return i;
        },
        done: (r) => (result = r),
      },
    });
    expect(inline.filter((e) => e.startsWith("m")).length).toBeGreaterThan(1);
    expect(staged).toEqual(inline);
    expect(result).toEqual({ count: inline.filter((e) => e.startsWith("a")).length });
  });

  it("an error in the worker crosses as the same CaptureError, offset and all", () => {
    const dir = mkdtempSync(join(tmpdir(), "heaptrail-"));
    const bad = join(dir, "bad.bin");
    writeFileSync(bad, Uint8Array.from([0x6d, 0x65, 0x6d, 0x72, 0x61, 0x79, 0x00, 99, 0, 0, 0, 1, 2, 3]));
    const error = (parallelFromBytes: number) => {
      try {
        readCaptureFile(bad, {}, { parallelFromBytes });
      } catch (e) {
        return { name: (e as Error).name, message: (e as Error).message, offset: (e as { offset?: number }).offset };
      }
      return null;
    };
    const serial = error(Infinity);
    expect(serial?.message).toMatch(/unsupported memray header version 99:.*\(at byte 7\)$/);
    expect(error(0)).toEqual(serial);
    rmSync(dir, { recursive: true });
  });

  it("a cut LZ4 file keeps what decompressed, with the reason", () => {
    const fixture = memrayFixtures().find((f) => f.id === "1.20.0/leaks.pyalloc")!;
    const bytes = readFileSync(fixture.capturePath);
    const dir = mkdtempSync(join(tmpdir(), "heaptrail-"));
    const cut = join(dir, "cut.bin");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const read = readCaptureFile(cut, {}, { parallelFromBytes: 0 });
    expect(read.summary.complete).toBe(false);
    expect(read.summary.warning).toMatch(/LZ4 frame ends early/);
    expect(read.summary.nAllocationRecords).toBeGreaterThan(1000);
    rmSync(dir, { recursive: true });
  });
});
