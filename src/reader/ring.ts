/**
 * The shared-memory ring between the decode worker and the main thread (see parallel.ts), and
 * the one record layout both sides use: the worker writes records with `ringWriter`, the main
 * thread reads them with `readRing`, both from the field table below.
 */
import type { AggregatedAllocation, CaptureVisitor } from "./records.ts";

/** The visitor that writes every kind of record into the ring (ringWriter's). */
export type RingWriter = Required<Pick<CaptureVisitor, "header" | "allocation" | "memoryRecord" | "memorySnapshot" | "objectRecord" | "aggregatedAllocation">>;

/** Tags from this one on are a worker stage's records (parallel.ts' WorkerStage), read by its `read`. */
export const STAGE_TAG = 16;

/** A slot length below zero says what the slot holds instead of data. */
export const SLOT_END = -1;

/** Each record in the ring is its tag, then these fields in this order, one number each. */
export const RING_RECORDS = {
  HEADER: { tag: 1, fields: [] }, // the header itself is on the port
  ALLOCATION: { tag: 2, fields: ["tid", "address", "size", "allocator", "stackId", "nativeId", "generation"] },
  MEMORY: { tag: 3, fields: ["timeMs", "rss"] },
  SNAPSHOT: { tag: 4, fields: ["timeMs", "rss", "heap"] },
  OBJECT: { tag: 5, fields: ["tid", "address", "created", "stackId", "nativeId"] },
  AGGREGATED: {
    tag: 6,
    fields: [
      "tid", "allocator", "nativeId", "stackId", "generation",
      "nAllocationsInHighWaterMark", "nAllocationsLeaked", "bytesInHighWaterMark", "bytesLeaked",
    ] satisfies Array<keyof AggregatedAllocation>,
  },
} as const;

const R = RING_RECORDS;
/** Numbers a record takes: its tag and its fields. */
const width = (r: { fields: readonly string[] }): number => 1 + r.fields.length;
const W_ALLOCATION = width(R.ALLOCATION);
const W_MEMORY = width(R.MEMORY);
const W_SNAPSHOT = width(R.SNAPSHOT);
const W_OBJECT = width(R.OBJECT);
const W_AGGREGATED = width(R.AGGREGATED);

/**
 * Views of the ring: `control` [slots written, slots read, stop requested, messages posted],
 * the length (in numbers) of each slot, and the slots themselves as numbers, `slotBytes / 8` per
 * slot.
 */
export function ringLayout(shared: SharedArrayBuffer, slots: number, slotBytes: number) {
  const dataOffset = 16 + 8 * Math.ceil((4 * slots) / 8); // keep the numbers 8-byte aligned
  return {
    control: new Int32Array(shared, 0, 4),
    lengths: new Int32Array(shared, 16, slots),
    numbers: new Float64Array(shared, dataOffset, (slots * slotBytes) / 8),
    slotNumbers: slotBytes / 8,
  };
}

/** The control words (indexes into `control`). */
export const Control = { WRITTEN: 0, READ: 1, STOP: 2, MESSAGES: 3 } as const;

/** An error in the worker, as fields (a CaptureError's message without its location). */
export type WorkerError =
  | { capture: true; detail: string; offset: number; where: "file" | "decompressed" }
  | { capture: false; message: string };

export function ringBytes(slots: number, slotBytes: number): number {
  return 16 + 8 * Math.ceil((4 * slots) / 8) + slots * slotBytes;
}

/**
 * The worker's visitor: each record into `numbers` at `room(width)` (which publishes a full
 * slot and hands out space in the next). `onHeader` posts the header before its tag is written.
 */
export function ringWriter(
  numbers: Float64Array,
  room: (n: number) => number,
  onHeader: NonNullable<CaptureVisitor["header"]>,
): RingWriter {
  return {
    header(header) {
      onHeader(header);
      numbers[room(1)] = R.HEADER.tag;
    },
    allocation(tid, address, size, allocator, stackId, nativeId, generation) {
      const at = room(W_ALLOCATION);
      numbers[at] = R.ALLOCATION.tag;
      numbers[at + 1] = tid;
      numbers[at + 2] = address;
      numbers[at + 3] = size;
      numbers[at + 4] = allocator;
      numbers[at + 5] = stackId;
      numbers[at + 6] = nativeId;
      numbers[at + 7] = generation;
    },
    memoryRecord(timeMs, rss) {
      const at = room(W_MEMORY);
      numbers[at] = R.MEMORY.tag;
      numbers[at + 1] = timeMs;
      numbers[at + 2] = rss;
    },
    memorySnapshot(timeMs, rss, heap) {
      const at = room(W_SNAPSHOT);
      numbers[at] = R.SNAPSHOT.tag;
      numbers[at + 1] = timeMs;
      numbers[at + 2] = rss;
      numbers[at + 3] = heap;
    },
    objectRecord(tid, address, created, stackId, nativeId) {
      const at = room(W_OBJECT);
      numbers[at] = R.OBJECT.tag;
      numbers[at + 1] = tid;
      numbers[at + 2] = address;
      numbers[at + 3] = created ? 1 : 0;
      numbers[at + 4] = stackId;
      numbers[at + 5] = nativeId;
    },
    aggregatedAllocation(record) {
      const at = room(W_AGGREGATED);
      numbers[at] = R.AGGREGATED.tag;
      R.AGGREGATED.fields.forEach((field, k) => (numbers[at + 1 + k] = record[field]));
    },
  };
}

/**
 * Hand the records in numbers[i, end) to `visitor`. `onHeader` is called at the header's tag
 * (it takes the header from the port); visitors may install callbacks when the header arrives
 * (collectStats does), so they are read again after it.
 */
export function readRing(
  numbers: Float64Array,
  i: number,
  end: number,
  visitor: CaptureVisitor,
  onHeader: () => void,
  readStage?: (numbers: Float64Array, i: number, end: number) => number,
): void {
  let onAllocation = visitor.allocation;
  let onMemory = visitor.memoryRecord;
  while (i < end) {
    const tag = numbers[i]!;
    if (tag >= STAGE_TAG && readStage !== undefined) {
      const next = readStage(numbers, i, end);
      if (next === i) throw new Error(`internal: the worker stage read no record at tag ${tag}`);
      i = next;
    } else if (tag === R.ALLOCATION.tag) {
      onAllocation?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!, numbers[i + 4]!, numbers[i + 5]!, numbers[i + 6]!, numbers[i + 7]!);
      i += W_ALLOCATION;
    } else if (tag === R.MEMORY.tag) {
      onMemory?.(numbers[i + 1]!, numbers[i + 2]!);
      i += W_MEMORY;
    } else if (tag === R.HEADER.tag) {
      onHeader();
      onAllocation = visitor.allocation;
      onMemory = visitor.memoryRecord;
      i += 1;
    } else if (tag === R.SNAPSHOT.tag) {
      visitor.memorySnapshot?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3]!);
      i += W_SNAPSHOT;
    } else if (tag === R.OBJECT.tag) {
      visitor.objectRecord?.(numbers[i + 1]!, numbers[i + 2]!, numbers[i + 3] === 1, numbers[i + 4]!, numbers[i + 5]!);
      i += W_OBJECT;
    } else if (tag === R.AGGREGATED.tag) {
      const record = {} as AggregatedAllocation;
      R.AGGREGATED.fields.forEach((field, k) => (record[field] = numbers[i + 1 + k]!));
      visitor.aggregatedAllocation?.(record);
      i += W_AGGREGATED;
    } else {
      throw new Error(`internal: unknown ring record tag ${tag}`);
    }
  }
}
